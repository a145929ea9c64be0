namespace Flow.Stages.Audio;

/// <summary>
/// A run of consecutive 16 kHz mono samples from one audio source. Every chunk of a source holds
/// exactly <see cref="AudioSourceOptions.ChunkSamples"/> samples except possibly its last one, which
/// may be shorter; <see cref="Offset"/> numbers samples from the start of the source.
/// </summary>
public sealed class AudioChunk
{
    /// <summary>Creates a chunk.</summary>
    /// <param name="source">The source's name (a file path, or <c>stdin</c>).</param>
    /// <param name="offset">Index of the first sample within the source.</param>
    /// <param name="samples">The samples (16 kHz mono, −1…1).</param>
    /// <param name="isLast">Whether this is the source's final chunk.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="samples"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    public AudioChunk(string source, long offset, float[] samples, bool isLast)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        Source = source;
        Offset = offset;
        Samples = samples;
        IsLast = isLast;
    }

    /// <summary>The source's name (a file path, or <c>stdin</c>).</summary>
    public string Source { get; }

    /// <summary>Index of the first sample within the source.</summary>
    public long Offset { get; }

    /// <summary>The samples (16 kHz mono, −1…1).</summary>
    public float[] Samples { get; }

    /// <summary>Whether this is the source's final chunk (segmenters flush, VAD state resets after it).</summary>
    public bool IsLast { get; }

    /// <summary>Time of the first sample from the start of the source.</summary>
    public TimeSpan Start => SpeechAudio.ToTime(Offset);

    /// <summary>Time just after the last sample from the start of the source.</summary>
    public TimeSpan End => SpeechAudio.ToTime(Offset + Samples.Length);
}
