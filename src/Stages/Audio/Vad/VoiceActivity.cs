namespace Flow.Stages.Audio;

/// <summary>An audio chunk with the probability that it holds speech.</summary>
public sealed class VoiceActivity
{
    /// <summary>Creates the result.</summary>
    /// <param name="chunk">The chunk.</param>
    /// <param name="speechProbability">Probability of speech, 0…1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chunk"/> is null.</exception>
    public VoiceActivity(AudioChunk chunk, float speechProbability)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        Chunk = chunk;
        SpeechProbability = speechProbability;
    }

    /// <summary>The chunk.</summary>
    public AudioChunk Chunk { get; }

    /// <summary>Probability of speech, 0…1.</summary>
    public float SpeechProbability { get; }
}
