using BenchmarkDotNet.Attributes;
using Flow.Neural.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Flow.Neural.Benchmarks;

/// <summary>The Fashion CNN exported to ONNX: Flow.Neural against ONNX Runtime, one thread each.</summary>
[Config(typeof(ShortJobConfig))]
public class InferenceBenchmarks : IDisposable
{
    private Sequential _model = null!;
    private Tensor _x = null!;
    private InferenceSession _session = null!;
    private NamedOnnxValue[] _inputs = null!;

    [Params(1, 64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = FashionMnist.CreateCnn();
        _x = Workloads.RandomTensor(1, Batch, 1, 28, 28);
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _session = new InferenceSession(OnnxExporter.ToBytes(_model, [1, 28, 28]), options);
        _inputs = [NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(_x.Data, [Batch, 1, 28, 28]))];
    }

    [Benchmark(Baseline = true)]
    public Tensor FlowNeural() => _model.Forward(_x);

    [Benchmark]
    public int OnnxRuntime()
    {
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> result = _session.Run(_inputs);
        return result.Count;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _session?.Dispose();
        GC.SuppressFinalize(this);
    }
}
