namespace Flow.Stages.Audio;

/// <summary>How an audio source cuts its samples into chunks and paces them.</summary>
public sealed class AudioSourceOptions
{
    private int _chunkSamples = 512;

    /// <summary>Samples per chunk at 16 kHz.</summary>
    /// <value>The default is 512 (32 ms), the chunk size Silero VAD v5 expects.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int ChunkSamples
    {
        get => _chunkSamples;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _chunkSamples = value;
        }
    }

    /// <summary>
    /// Whether to release chunks at real time (a chunk of 32 ms every 32 ms on the pipeline's clock), to
    /// simulate live input from a file.
    /// </summary>
    /// <value>The default is <see langword="false"/>: as fast as the pipeline takes them.</value>
    public bool Realtime { get; set; }

    /// <summary>Copies the options (stages take a snapshot when they are built).</summary>
    /// <returns>A copy.</returns>
    public AudioSourceOptions Clone() => (AudioSourceOptions)MemberwiseClone();
}
