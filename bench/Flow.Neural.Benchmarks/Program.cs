using System.CommandLine;
using BenchmarkDotNet.Running;
using Flow.Cli.Train;

namespace Flow.Neural.Benchmarks;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "train")
        {
            var root = new RootCommand("Flow.Neural training (the same command as `flow train`)") { TrainCommand.Create() };
            return await root.Parse(args).InvokeAsync();
        }

        if (args.Length > 0 && args[0] == "report")
        {
            Report.Run(Console.Out, args[1..]);
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
