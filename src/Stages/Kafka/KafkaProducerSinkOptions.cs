namespace Flow.Stages.Kafka;

/// <summary>Settings of a <see cref="KafkaProducerSink{T}"/>.</summary>
public sealed class KafkaProducerSinkOptions
{
    private string _bootstrapServers = string.Empty;
    private int _lingerMs = 5;

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

    /// <summary>How long the producer waits to fill a batch.</summary>
    /// <value>The default is 5 ms.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int LingerMs
    {
        get => _lingerMs;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(LingerMs));
            _lingerMs = value;
        }
    }

    /// <summary>Compression of produced batches: none, gzip, snappy, lz4 or zstd.</summary>
    /// <value>The default is <c>lz4</c>.</value>
    public string Compression { get; set; } = "lz4";

    /// <summary>Returns a copy, so later changes do not reach a sink that was already created.</summary>
    /// <returns>The copy.</returns>
    public KafkaProducerSinkOptions Clone() => (KafkaProducerSinkOptions)MemberwiseClone();
}
