namespace Flow.Stages.Kafka;

/// <summary>Settings of a <see cref="KafkaSource"/>.</summary>
public sealed class KafkaSourceOptions
{
    private string _bootstrapServers = string.Empty;
    private string _topic = string.Empty;
    private string _groupId = string.Empty;
    private TimeSpan _commitInterval = TimeSpan.FromMilliseconds(500);
    private int _sessionTimeoutMs = 6000;
    private int _bufferedRecords = 4096;
    private double? _maxRecordsPerSecond;

    /// <summary>The brokers, <c>host:port[,host:port]</c>.</summary>
    /// <value>The default is empty: it must be set.</value>
    /// <exception cref="ArgumentException">The value is empty.</exception>
    public string BootstrapServers
    {
        get => _bootstrapServers;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value, nameof(BootstrapServers));
            _bootstrapServers = value;
        }
    }

    /// <summary>The topic to consume.</summary>
    /// <value>The default is empty: it must be set.</value>
    /// <exception cref="ArgumentException">The value is empty.</exception>
    public string Topic
    {
        get => _topic;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value, nameof(Topic));
            _topic = value;
        }
    }

    /// <summary>The consumer group; processes with the same group share the partitions.</summary>
    /// <value>The default is empty: it must be set.</value>
    /// <exception cref="ArgumentException">The value is empty.</exception>
    public string GroupId
    {
        get => _groupId;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value, nameof(GroupId));
            _groupId = value;
        }
    }

    /// <summary>How often completed offsets are committed (also on revoke and on close).</summary>
    /// <value>The default is 500 ms.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan CommitInterval
    {
        get => _commitInterval;
        set
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(CommitInterval), value, "the commit interval must be positive");
            }

            _commitInterval = value;
        }
    }

    /// <summary>The group session timeout: how soon a dead member's partitions move to the others.</summary>
    /// <value>The default is 6000 ms.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1000.</exception>
    public int SessionTimeoutMs
    {
        get => _sessionTimeoutMs;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1000, nameof(SessionTimeoutMs));
            _sessionTimeoutMs = value;
        }
    }

    /// <summary>Records consumed ahead of the pipeline (a bounded buffer; backpressure beyond it).</summary>
    /// <value>The default is 4096.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int BufferedRecords
    {
        get => _bufferedRecords;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(BufferedRecords));
            _bufferedRecords = value;
        }
    }

    /// <summary>Stop after this many records.</summary>
    /// <value>The default is <see langword="null"/>: no limit.</value>
    public long? MaxRecords { get; set; }

    /// <summary>Stop when no record arrived for this long (after the first assignment).</summary>
    /// <value>The default is <see langword="null"/>: run until stopped.</value>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>Consume at most this many records per second (throttled replays, demos, tests).</summary>
    /// <value>The default is <see langword="null"/>: as fast as the pipeline takes them.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero, negative or not finite.</exception>
    public double? MaxRecordsPerSecond
    {
        get => _maxRecordsPerSecond;
        set
        {
            if (value is { } rate && (rate <= 0 || !double.IsFinite(rate)))
            {
                throw new ArgumentOutOfRangeException(nameof(MaxRecordsPerSecond), value, "the rate must be a positive finite number");
            }

            _maxRecordsPerSecond = value;
        }
    }

    /// <summary>Returns a copy, so later changes do not reach a source that was already created.</summary>
    /// <returns>The copy.</returns>
    public KafkaSourceOptions Clone() => (KafkaSourceOptions)MemberwiseClone();
}
