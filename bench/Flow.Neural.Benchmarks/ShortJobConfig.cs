using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Flow.Neural.Benchmarks;

/// <summary>Short jobs: the machine has 2 shared cores, so many long iterations buy little precision.</summary>
public sealed class ShortJobConfig : ManualConfig
{
    public ShortJobConfig()
    {
        AddJob(Job.ShortRun.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5));
    }
}
