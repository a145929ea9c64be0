namespace Flow.Apps.FraudScore.Data;

/// <summary>Settings of <see cref="TransactionSimulator"/>. The same settings always give the same rows.</summary>
public sealed class SimulatorOptions
{
    private long _rows = 100_000;
    private int _seed = 7;
    private int? _cards;
    private TimeSpan _span = TimeSpan.FromDays(30);
    private double _fraudEpisodeRate = 0.0018;

    /// <summary>How many transactions to produce.</summary>
    /// <value>The default is 100,000.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public long Rows
    {
        get => _rows;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(Rows));
            _rows = value;
        }
    }

    /// <summary>The random seed.</summary>
    /// <value>The default is 7.</value>
    public int Seed
    {
        get => _seed;
        set => _seed = value;
    }

    /// <summary>How many cards transact.</summary>
    /// <value>The default is <see langword="null"/>: one card per 40 rows, at least 50.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int? Cards
    {
        get => _cards;
        set
        {
            if (value is { } cards)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cards, nameof(Cards));
            }

            _cards = value;
        }
    }

    /// <summary>The first transaction's time (UTC).</summary>
    /// <value>The default is 2026-01-01T00:00:00Z.</value>
    public DateTime Start { get; set; } = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The period the legitimate transactions are spread over.</summary>
    /// <value>The default is 30 days.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan Span
    {
        get => _span;
        set
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(Span), value, "the span must be positive");
            }

            _span = value;
        }
    }

    /// <summary>
    /// The chance that a legitimate transaction starts a fraud episode (each episode adds 1–25
    /// fraudulent rows); the default gives about 1.5 % fraudulent rows.
    /// </summary>
    /// <value>The default is 0.0018.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not below 1.</exception>
    public double FraudEpisodeRate
    {
        get => _fraudEpisodeRate;
        set
        {
            if (value is < 0 or >= 1 || double.IsNaN(value))
            {
                throw new ArgumentOutOfRangeException(nameof(FraudEpisodeRate), value, "the rate must be in [0, 1)");
            }

            _fraudEpisodeRate = value;
        }
    }

    /// <summary>The number of cards actually simulated.</summary>
    internal int EffectiveCards => _cards ?? (int)Math.Max(50, Math.Min(int.MaxValue, _rows / 40));
}
