namespace Flow.Stages.Audio;

/// <summary>The PocketSphinx models a decoder loads (Debian package <c>pocketsphinx-en-us</c> by default).</summary>
public sealed class PocketSphinxOptions
{
    /// <summary>Where Debian's <c>pocketsphinx-en-us</c> installs the US-English models.</summary>
    public const string DefaultModelDirectory = "/usr/share/pocketsphinx/model/en-us";

    private string _acousticModel = Path.Combine(DefaultModelDirectory, "en-us");
    private string _languageModel = Path.Combine(DefaultModelDirectory, "en-us.lm.bin");
    private string _dictionary = Path.Combine(DefaultModelDirectory, "cmudict-en-us.dict");
    private int _feedSamples = 1600;
    private TimeSpan _partialInterval = TimeSpan.FromSeconds(1);

    /// <summary>Folder of the acoustic model (<c>-hmm</c>).</summary>
    /// <value>The default is <c>/usr/share/pocketsphinx/model/en-us/en-us</c>.</value>
    /// <exception cref="ArgumentException">The value is null or empty.</exception>
    public string AcousticModel
    {
        get => _acousticModel;
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            _acousticModel = value;
        }
    }

    /// <summary>The n-gram language model (<c>-lm</c>).</summary>
    /// <value>The default is <c>/usr/share/pocketsphinx/model/en-us/en-us.lm.bin</c>.</value>
    /// <exception cref="ArgumentException">The value is null or empty.</exception>
    public string LanguageModel
    {
        get => _languageModel;
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            _languageModel = value;
        }
    }

    /// <summary>The pronunciation dictionary (<c>-dict</c>).</summary>
    /// <value>The default is <c>/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict</c>.</value>
    /// <exception cref="ArgumentException">The value is null or empty.</exception>
    public string Dictionary
    {
        get => _dictionary;
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            _dictionary = value;
        }
    }

    /// <summary>How an utterance is fed to the decoder.</summary>
    /// <value>The default is <see cref="PocketSphinxMode.WholeUtterance"/>: deterministic with any pool size.</value>
    public PocketSphinxMode Mode { get; set; } = PocketSphinxMode.WholeUtterance;

    /// <summary>Samples handed to <c>ps_process_raw</c> per call in <see cref="PocketSphinxMode.Live"/> mode.</summary>
    /// <value>The default is 1600 (100 ms), the way a live microphone feeds it.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int FeedSamples
    {
        get => _feedSamples;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _feedSamples = value;
        }
    }

    /// <summary>Audio decoded between two partial hypotheses (in <see cref="PocketSphinxMode.Live"/> mode, when a partial callback is given).</summary>
    /// <value>The default is 1 s.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan PartialInterval
    {
        get => _partialInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _partialInterval = value;
        }
    }

    /// <summary>Copies the options.</summary>
    /// <returns>A copy.</returns>
    public PocketSphinxOptions Clone() => (PocketSphinxOptions)MemberwiseClone();
}
