using System.CommandLine;
using Flow.Apps.SpeechRec;
using Flow.Apps.SpeechRec.Benchmarks;

// Hosts `speech …` exactly as the flow CLI will, plus `bench` (see SpeechBenchmark) and `demo`.
var root = new RootCommand("SpeechRec benchmarks and commands");
root.Subcommands.Add(SpeechCommands.Create());
root.Subcommands.Add(SpeechBenchmark.Create());
var demo = new Command("demo", "The speech part of the main-job demo");
demo.SetAction((_, cancellationToken) => SpeechCommands.RunDemoAsync(Console.Out, cancellationToken));
root.Subcommands.Add(demo);
return await root.Parse(args).InvokeAsync();
