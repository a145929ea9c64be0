namespace Flow.Stages.Audio;

/// <summary>When the <see cref="UtteranceSegmenter"/> opens and closes an utterance.</summary>
public sealed class UtteranceSegmenterOptions
{
    private float _threshold = 0.5f;
    private float _releaseThreshold = 0.35f;
    private TimeSpan _minSilence = TimeSpan.FromMilliseconds(400);
    private TimeSpan _padding = TimeSpan.FromMilliseconds(300);
    private TimeSpan _minSpeech = TimeSpan.FromMilliseconds(250);
    private TimeSpan _maxDuration = TimeSpan.FromSeconds(20);

    /// <summary>Speech probability at or above which a chunk opens (or continues) an utterance.</summary>
    /// <value>The default is 0.5 (Silero's own default).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 0…1.</exception>
    public float Threshold
    {
        get => _threshold;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1f);
            _threshold = value;
        }
    }

    /// <summary>Speech probability below which a chunk counts as silence inside an utterance (hysteresis).</summary>
    /// <value>The default is 0.35 (Silero's threshold − 0.15).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 0…1.</exception>
    public float ReleaseThreshold
    {
        get => _releaseThreshold;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1f);
            _releaseThreshold = value;
        }
    }

    /// <summary>Silence that must follow speech before the utterance ends.</summary>
    /// <value>The default is 400 ms.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan MinSilence
    {
        get => _minSilence;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _minSilence = value;
        }
    }

    /// <summary>Audio kept before the first and after the last speech chunk, so no word is clipped.</summary>
    /// <value>The default is 300 ms.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan Padding
    {
        get => _padding;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _padding = value;
        }
    }

    /// <summary>Utterances with less speech than this (clicks, coughs) are dropped.</summary>
    /// <value>The default is 250 ms.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan MinSpeech
    {
        get => _minSpeech;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _minSpeech = value;
        }
    }

    /// <summary>
    /// Longest utterance; a longer stretch of speech is cut at its quietest chunk in the last third
    /// (or at the limit), and the rest starts a new utterance.
    /// </summary>
    /// <value>The default is 20 s.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan MaxDuration
    {
        get => _maxDuration;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _maxDuration = value;
        }
    }

    /// <summary>Copies the options.</summary>
    /// <returns>A copy.</returns>
    public UtteranceSegmenterOptions Clone() => (UtteranceSegmenterOptions)MemberwiseClone();
}
