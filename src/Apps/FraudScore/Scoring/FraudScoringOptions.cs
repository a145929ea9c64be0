namespace Flow.Apps.FraudScore.Scoring;

/// <summary>How the scoring pipeline runs: parallelism and batching.</summary>
public sealed class FraudScoringOptions
{
    private int _degreeOfParallelism = 2;
    private int _batchSize = 1024;
    private TimeSpan _batchDelay = TimeSpan.FromMilliseconds(5);
    private int _boundedCapacity = 1024;

    /// <summary>Feature partitions (by card) and scoring replicas (one model session each).</summary>
    /// <value>The default is 2.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int DegreeOfParallelism
    {
        get => _degreeOfParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(DegreeOfParallelism));
            _degreeOfParallelism = value;
        }
    }

    /// <summary>
    /// Transactions per scoring batch. The CSV path reads the file in chunks of this many rows and
    /// moves each chunk through the pipeline as one item; the Kafka path batches records up to this
    /// size or <see cref="BatchDelay"/>. Under pacing, CSV chunks leave the source as soon as the next
    /// row is not yet due, so the size bounds throughput work, not latency.
    /// </summary>
    /// <value>The default is 1024 (faster end to end than 256 in the runs in docs/FRAUD.md).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int BatchSize
    {
        get => _batchSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(BatchSize));
            _batchSize = value;
        }
    }

    /// <summary>The longest a transaction waits for its batch to fill on the per-record (Kafka) path; bounds latency at low rates.</summary>
    /// <value>The default is 5 ms.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan BatchDelay
    {
        get => _batchDelay;
        set
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(BatchDelay), value, "the batch delay must be positive");
            }

            _batchDelay = value;
        }
    }

    /// <summary>The queue length of each per-transaction stage (batch stages hold this many / batch size batches).</summary>
    /// <value>The default is 1024.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int BoundedCapacity
    {
        get => _boundedCapacity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(BoundedCapacity));
            _boundedCapacity = value;
        }
    }
}
