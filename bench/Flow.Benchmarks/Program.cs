using BenchmarkDotNet.Running;
using Flow.Benchmarks;

// `ratios [rounds]`: the variants in interleaved rounds in one process, so load drift on a shared
// machine hits them alike; prints medians and ratios to the hand-wired baseline.
// Anything else goes to BenchmarkDotNet (e.g. --filter '*PipelineOverhead*').
if (args.Length > 0 && args[0] == "ratios")
{
    int rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15;
    await RatioReport.RunAsync(rounds, Console.Out);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(PipelineOverheadBenchmarks).Assembly).Run(args);
