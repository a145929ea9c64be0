using Flow.Stages.Audio;

namespace Flow.Apps.SpeechRec;

/// <summary>The speech job's settings: decoder pool, VAD and segmenter, models, keyword network.</summary>
public sealed class SpeechRecognitionOptions
{
    private int _decoders = 2;
    private SileroVadOptions _vad = new();
    private UtteranceSegmenterOptions _segmenter = new();
    private PocketSphinxOptions _recognizer = new();
    private string? _keywordModelPath;
    private float _keywordThreshold = 0.6f;
    private TimeSpan _keywordMaxDuration = TimeSpan.FromSeconds(1.6);

    /// <summary>PocketSphinx decoders working on different utterances in parallel (the pool size).</summary>
    /// <value>The default is 2 (one per core on the reference machine).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int Decoders
    {
        get => _decoders;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _decoders = value;
        }
    }

    /// <summary>
    /// Whether decoders report partial hypotheses while an utterance is decoded. Partials need
    /// <see cref="PocketSphinxMode.Live"/> feeding, so <see langword="true"/> switches the decoders to it
    /// (see <see cref="PocketSphinxMode"/> for what that costs in determinism).
    /// </summary>
    /// <value>The default is <see langword="false"/>: whole-utterance decoding, the same text with any pool size.</value>
    public bool PartialResults { get; set; }

    /// <summary>
    /// Whether to decode while an utterance is being spoken (one streaming decoder fed chunk by chunk,
    /// partial hypotheses as the words come, the final text as soon as the utterance closes) instead of
    /// handing closed utterances to a pool of <see cref="Decoders"/>. For live input; no keyword branch.
    /// </summary>
    /// <value>The default is <see langword="false"/>: the decoder pool.</value>
    public bool Streaming { get; set; }

    /// <summary>The Silero VAD model and threads.</summary>
    /// <value>The default is <see cref="SileroVadOptions"/>' defaults.</value>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public SileroVadOptions Vad
    {
        get => _vad;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _vad = value;
        }
    }

    /// <summary>When utterances open and close.</summary>
    /// <value>The default is <see cref="UtteranceSegmenterOptions"/>' defaults.</value>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public UtteranceSegmenterOptions Segmenter
    {
        get => _segmenter;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _segmenter = value;
        }
    }

    /// <summary>The PocketSphinx models.</summary>
    /// <value>The default is Debian's US-English models.</value>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public PocketSphinxOptions Recognizer
    {
        get => _recognizer;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _recognizer = value;
        }
    }

    /// <summary>
    /// A keyword model written by <c>flow speech train-keywords</c>; when set, utterances are also sent
    /// (broadcast) to the keyword network.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no keyword branch.</value>
    public string? KeywordModelPath
    {
        get => _keywordModelPath;
        set
        {
            if (value is not null)
            {
                ArgumentException.ThrowIfNullOrEmpty(value);
            }

            _keywordModelPath = value;
        }
    }

    /// <summary>Lowest keyword probability reported.</summary>
    /// <value>The default is 0.6.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 0…1.</exception>
    public float KeywordThreshold
    {
        get => _keywordThreshold;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1f);
            _keywordThreshold = value;
        }
    }

    /// <summary>Longest utterance the keyword network looks at (commands are short).</summary>
    /// <value>The default is 1.6 s.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan KeywordMaxDuration
    {
        get => _keywordMaxDuration;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _keywordMaxDuration = value;
        }
    }

    /// <summary>Copies the options, with copies of the nested options.</summary>
    /// <returns>A copy.</returns>
    public SpeechRecognitionOptions Clone()
    {
        var copy = (SpeechRecognitionOptions)MemberwiseClone();
        copy._vad = _vad.Clone();
        copy._segmenter = _segmenter.Clone();
        copy._recognizer = _recognizer.Clone();
        return copy;
    }
}
