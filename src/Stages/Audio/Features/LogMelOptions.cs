namespace Flow.Stages.Audio;

/// <summary>Frame and filter-bank settings of the <see cref="LogMelExtractor"/>.</summary>
public sealed class LogMelOptions
{
    private int _melBands = 40;
    private TimeSpan _frame = TimeSpan.FromMilliseconds(25);
    private TimeSpan _hop = TimeSpan.FromMilliseconds(10);

    /// <summary>Mel bands (features per frame).</summary>
    /// <value>The default is 40.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MelBands
    {
        get => _melBands;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _melBands = value;
        }
    }

    /// <summary>Analysis window length.</summary>
    /// <value>The default is 25 ms.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan Frame
    {
        get => _frame;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _frame = value;
        }
    }

    /// <summary>Step between frames.</summary>
    /// <value>The default is 10 ms.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan Hop
    {
        get => _hop;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _hop = value;
        }
    }

    /// <summary>Copies the options.</summary>
    /// <returns>A copy.</returns>
    public LogMelOptions Clone() => (LogMelOptions)MemberwiseClone();
}
