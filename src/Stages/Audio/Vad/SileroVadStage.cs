using Flow.Pipeline;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Flow.Stages.Audio;

/// <summary>
/// Silero VAD v5 on ONNX Runtime: each 512-sample chunk is fed with the 64 samples before it as
/// context, and the recurrent state tensor is carried from one call to the next; both reset at the
/// start of every source. Stateful: run it with one worker (the default <see cref="StageOptions"/>).
/// Shorter chunks (a source's last) are zero-padded to 512 samples.
/// </summary>
public sealed class SileroVadStage : Stage<AudioChunk, VoiceActivity>, IDisposable
{
    /// <summary>Samples per model call at 16 kHz (32 ms).</summary>
    public const int ChunkSamples = 512;

    /// <summary>Samples of the previous chunk fed before each chunk.</summary>
    public const int ContextSamples = 64;

    private readonly SileroVadOptions _options;
    private readonly float[] _input = new float[ContextSamples + ChunkSamples];
    private readonly float[] _state = new float[2 * 128];
    private InferenceSession? _session;
    private string? _currentSource;
    private bool _afterLast = true;

    /// <summary>Creates the stage; the model is loaded when the stage is opened.</summary>
    /// <param name="options">Model path and threads; <see langword="null"/> for the defaults.</param>
    public SileroVadStage(SileroVadOptions? options = null)
    {
        _options = (options ?? new SileroVadOptions()).Clone();
    }

    /// <inheritdoc />
    /// <exception cref="FileNotFoundException">The model file is not found.</exception>
    public override ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        Open();
        return ValueTask.CompletedTask;
    }

    /// <summary>Loads the model outside a pipeline (tools and tests); <see cref="OpenAsync"/> does the same.</summary>
    /// <exception cref="FileNotFoundException">The model file is not found.</exception>
    public void Open()
    {
        if (_session is not null)
        {
            return;
        }

        string path = AssetLocator.Find(_options.ModelPath)
            ?? throw new FileNotFoundException($"Silero VAD model '{_options.ModelPath}' not found (run scripts/setup.sh, which fetches it from npm @ricky0123/vad-web@0.0.31)", _options.ModelPath);
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = _options.IntraOpThreads, InterOpNumThreads = 1 };
        _session = new InferenceSession(path, sessionOptions);
    }

    /// <inheritdoc />
    public override ValueTask<VoiceActivity> ProcessAsync(AudioChunk item, CancellationToken cancellationToken)
        => ValueTask.FromResult(Process(item));

    /// <summary>Scores one chunk, carrying the state from the previous chunk of the same source.</summary>
    /// <param name="chunk">The chunk (at most 512 samples).</param>
    /// <returns>The chunk with its speech probability.</returns>
    /// <exception cref="InvalidOperationException">The stage is not open.</exception>
    /// <exception cref="ArgumentException">The chunk holds more than 512 samples.</exception>
    public VoiceActivity Process(AudioChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        InferenceSession session = _session ?? throw new InvalidOperationException("the VAD is not open");
        if (chunk.Samples.Length > ChunkSamples)
        {
            throw new ArgumentException($"a VAD chunk holds at most {ChunkSamples} samples, got {chunk.Samples.Length}", nameof(chunk));
        }

        if (_afterLast || !string.Equals(_currentSource, chunk.Source, StringComparison.Ordinal))
        {
            Reset();
            _currentSource = chunk.Source;
        }

        _afterLast = chunk.IsLast;
        Array.Clear(_input, ContextSamples, ChunkSamples);
        chunk.Samples.CopyTo(_input, ContextSamples);

        var inputs = new List<NamedOnnxValue>(3)
        {
            NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(_input, [1, _input.Length])),
            NamedOnnxValue.CreateFromTensor("state", new DenseTensor<float>(_state, [2, 1, 128])),
            NamedOnnxValue.CreateFromTensor("sr", new DenseTensor<long>(new long[] { SpeechAudio.SampleRate }, [1])),
        };
        float probability;
        using (IDisposableReadOnlyCollection<DisposableNamedOnnxValue> outputs = session.Run(inputs))
        {
            probability = outputs.First(o => o.Name == "output").AsTensor<float>().GetValue(0);
            Tensor<float> next = outputs.First(o => o.Name == "stateN").AsTensor<float>();
            for (int i = 0; i < _state.Length; i++)
            {
                _state[i] = next.GetValue(i);
            }
        }

        // The context of the next chunk is the tail of this one.
        Array.Copy(_input, _input.Length - ContextSamples, _input, 0, ContextSamples);
        return new VoiceActivity(chunk, probability);
    }

    /// <summary>Forgets the carried state and context (a new stream starts).</summary>
    public void Reset()
    {
        Array.Clear(_state);
        Array.Clear(_input);
    }

    /// <inheritdoc />
    public override ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session?.Dispose();
        _session = null;
    }
}
