using Microsoft.ML.OnnxRuntime;

namespace Flow.Stages.Inference;

/// <summary>
/// How an ONNX Runtime session is created. One session is created per stage replica; several small
/// sessions with one intra-op thread each beat one session with many threads on a busy CPU.
/// </summary>
public sealed class OnnxModelOptions
{
    private string _modelPath = string.Empty;
    private int _intraOpNumThreads = 1;
    private int _interOpNumThreads = 1;

    /// <summary>The path of the <c>.onnx</c> file.</summary>
    /// <value>The default is the empty string, which fails validation when a session is opened.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public string ModelPath
    {
        get => _modelPath;
        set
        {
            ArgumentNullException.ThrowIfNull(value, nameof(ModelPath));
            _modelPath = value;
        }
    }

    /// <summary>Threads ONNX Runtime uses inside one operator of one session.</summary>
    /// <value>The default is 1: parallelism comes from several sessions (replicas), not from threads inside one.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int IntraOpNumThreads
    {
        get => _intraOpNumThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(IntraOpNumThreads));
            _intraOpNumThreads = value;
        }
    }

    /// <summary>Threads ONNX Runtime uses to run independent operators of one session in parallel.</summary>
    /// <value>The default is 1.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int InterOpNumThreads
    {
        get => _interOpNumThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(InterOpNumThreads));
            _interOpNumThreads = value;
        }
    }

    /// <summary>The graph optimisation level applied when the session is created.</summary>
    /// <value>The default is <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>.</value>
    public GraphOptimizationLevel OptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Returns a copy, so later changes to this object do not reach an opened stage.</summary>
    /// <returns>A new options object with the same values.</returns>
    public OnnxModelOptions Clone() => (OnnxModelOptions)MemberwiseClone();
}
