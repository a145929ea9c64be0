using BenchmarkDotNet.Attributes;

namespace Flow.Neural.Benchmarks;

/// <summary>Instruction parallelism inside one neuron: a 1M-float dot product, SIMD against a scalar loop.</summary>
[Config(typeof(ShortJobConfig))]
public class DotBenchmarks
{
    private readonly float[] _a = Workloads.Random(1 << 20, 1);
    private readonly float[] _b = Workloads.Random(1 << 20, 2);

    [Benchmark(Baseline = true)]
    public float Scalar() => Workloads.ScalarDot(_a, _b);

    [Benchmark]
    public float TensorPrimitivesDot() => System.Numerics.Tensors.TensorPrimitives.Dot(_a, _b);
}
