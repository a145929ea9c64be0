namespace Flow.Pipeline;

/// <summary>
/// Settings of a batching stage: a batch is emitted when it holds <see cref="MaxBatchSize"/> items
/// OR when its first item has waited <see cref="MaxDelay"/>, whichever comes first (dynamic batching).
/// A partial batch is also emitted when the input completes and when the run is stopped.
/// </summary>
public sealed class BatchOptions
{
    private int _maxBatchSize = 32;
    private TimeSpan? _maxDelay;

    /// <summary>The most items in one batch.</summary>
    /// <value>The default is 32.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxBatchSize
    {
        get => _maxBatchSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(MaxBatchSize));
            _maxBatchSize = value;
        }
    }

    /// <summary>
    /// The longest the first item of a batch waits before the batch is emitted, full or not.
    /// Measured with the pipeline's <see cref="TimeProvider"/>.
    /// </summary>
    /// <value>The default is <see langword="null"/>: batches are emitted only when full or at the end.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? MaxDelay
    {
        get => _maxDelay;
        set
        {
            if (value is { } delay && delay <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(MaxDelay), delay, "the delay must be positive");
            }

            _maxDelay = value;
        }
    }

    /// <summary>Returns a copy, so later changes to this object do not reach a built stage.</summary>
    /// <returns>A new options object with the same values.</returns>
    public BatchOptions Clone() => (BatchOptions)MemberwiseClone();
}
