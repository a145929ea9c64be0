using System.CommandLine;
using Flow.Cli.Demo;
using Flow.Cli.Train;

var root = new RootCommand("Flow: streaming neural-network jobs on TPL Dataflow — video detection, speech recognition, fraud scoring, training")
{
    DemoCommand.Create(),
    TrainCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
