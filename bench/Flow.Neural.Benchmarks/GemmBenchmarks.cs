using BenchmarkDotNet.Attributes;

namespace Flow.Neural.Benchmarks;

/// <summary>GEMM N×N×N: SIMD on 1 and 2 cores (neuron-parallel) and the scalar reference; the FMA loop gives the peak.</summary>
[Config(typeof(ShortJobConfig))]
public class GemmBenchmarks
{
    private Workloads.GemmCase _case = null!;
    private readonly float[] _sink = new float[1];

    [Params(512, 1024, 2048)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup() => _case = new Workloads.GemmCase(N);

    [Benchmark(Baseline = true)]
    public void Simd1Core() => _case.Run(new ComputeOptions());

    [Benchmark]
    public void Simd2Cores() => _case.Run(new ComputeOptions { DegreeOfParallelism = 2 });

    /// <summary>Peak reference: 4M iterations × 12 chains × 16 lanes × 2 FLOPs (Vector512).</summary>
    [Benchmark]
    public long FmaPeakLoop() => Workloads.FmaLoop(4_000_000, _sink);
}
