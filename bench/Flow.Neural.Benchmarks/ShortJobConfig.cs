using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Flow.Neural.Benchmarks;

/// <summary>
/// Short in-process jobs: the machine has 2 shared cores, so many long iterations buy little precision,
/// and in-process runs skip building a separate benchmark project for every class.
/// </summary>
public sealed class ShortJobConfig : ManualConfig
{
    public ShortJobConfig()
    {
        AddJob(Job.ShortRun.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5).WithToolchain(InProcessEmitToolchain.Instance));
    }
}
