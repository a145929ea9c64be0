namespace Flow.Stages.Audio;

/// <summary>Where the Silero VAD model is and how ONNX Runtime runs it.</summary>
public sealed class SileroVadOptions
{
    private string _modelPath = DefaultModelPath;
    private int _intraOpThreads = 1;

    /// <summary>The model's default location, relative to the repository root (fetched by <c>scripts/setup.sh</c>).</summary>
    public const string DefaultModelPath = ".assets/speech/silero_vad_v5.onnx";

    /// <summary>
    /// Path of <c>silero_vad_v5.onnx</c>. A relative path is looked up from the working directory and
    /// then from each folder above it and above the application's folder.
    /// </summary>
    /// <value>The default is <see cref="DefaultModelPath"/>.</value>
    /// <exception cref="ArgumentException">The value is null or empty.</exception>
    public string ModelPath
    {
        get => _modelPath;
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            _modelPath = value;
        }
    }

    /// <summary>Threads ONNX Runtime uses inside one call.</summary>
    /// <value>The default is 1: the model is tiny and runs per 32 ms chunk, so threads only add overhead.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int IntraOpThreads
    {
        get => _intraOpThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _intraOpThreads = value;
        }
    }

    /// <summary>Copies the options.</summary>
    /// <returns>A copy.</returns>
    public SileroVadOptions Clone() => (SileroVadOptions)MemberwiseClone();
}
