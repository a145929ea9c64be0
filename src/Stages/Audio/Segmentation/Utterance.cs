namespace Flow.Stages.Audio;

/// <summary>A stretch of speech cut from a source by the <see cref="UtteranceSegmenter"/>, with padding.</summary>
public sealed class Utterance
{
    /// <summary>Creates an utterance.</summary>
    /// <param name="source">The source's name.</param>
    /// <param name="index">0-based number of the utterance within the whole run (all sources).</param>
    /// <param name="startSample">Index of the first sample within the source.</param>
    /// <param name="samples">The samples (16 kHz mono).</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="samples"/> is null.</exception>
    public Utterance(string source, int index, long startSample, float[] samples)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(samples);
        Source = source;
        Index = index;
        StartSample = startSample;
        Samples = samples;
    }

    /// <summary>The source's name.</summary>
    public string Source { get; }

    /// <summary>0-based number of the utterance within the whole run (all sources), in time order.</summary>
    public int Index { get; }

    /// <summary>Index of the first sample within the source.</summary>
    public long StartSample { get; }

    /// <summary>The samples (16 kHz mono).</summary>
    public float[] Samples { get; }

    /// <summary>Index just past the last sample within the source.</summary>
    public long EndSample => StartSample + Samples.Length;

    /// <summary>Start time within the source.</summary>
    public TimeSpan Start => SpeechAudio.ToTime(StartSample);

    /// <summary>End time within the source.</summary>
    public TimeSpan End => SpeechAudio.ToTime(EndSample);

    /// <summary>The utterance's length.</summary>
    public TimeSpan Duration => SpeechAudio.ToTime(Samples.Length);
}
