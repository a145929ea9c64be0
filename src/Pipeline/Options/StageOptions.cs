namespace Flow.Pipeline;

/// <summary>
/// What a stage does when its input queue is full and another item arrives.
/// </summary>
public enum FullMode
{
    /// <summary>The producer waits until there is room (backpressure). Nothing is lost.</summary>
    Wait,

    /// <summary>The oldest queued item is discarded to make room for the new one.</summary>
    DropOldest,

    /// <summary>The arriving item is discarded; the queue keeps what it already holds.</summary>
    DropNewest,

    /// <summary>
    /// The queue holds only the most recent item: every arrival replaces what is waiting.
    /// Use it in front of a slow model on live media so latency stays bounded.
    /// </summary>
    LatestOnly,
}

/// <summary>
/// Per-stage settings. Values are validated when set; the builder takes a snapshot of them when the
/// stage is added, so changing an options object afterwards does not affect a built pipeline.
/// </summary>
public sealed class StageOptions
{
    private string? _name;
    private int _boundedCapacity = DefaultBoundedCapacity;
    private int _maxDegreeOfParallelism = 1;
    private ErrorPolicy _errorPolicy = ErrorPolicy.Stop;

    /// <summary>The queue length used when <see cref="BoundedCapacity"/> is not set.</summary>
    public const int DefaultBoundedCapacity = 64;

    /// <summary>
    /// The stage's name, used in errors, metrics, the live view and the Mermaid export.
    /// </summary>
    /// <value>The default is <see langword="null"/>: the builder names the stage after its kind and position, e.g. <c>then#2</c>.</value>
    /// <exception cref="ArgumentException">The name is empty or whitespace.</exception>
    public string? Name
    {
        get => _name;
        set
        {
            if (value is not null)
            {
                ArgumentException.ThrowIfNullOrWhiteSpace(value, nameof(Name));
            }

            _name = value;
        }
    }

    /// <summary>
    /// The most items the stage holds at once: waiting, being processed and waiting to be taken
    /// by the next stage. Memory of a pipeline is bounded by the sum of its stages' capacities.
    /// </summary>
    /// <value>The default is 64.</value>
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

    /// <summary>
    /// How many items the stage processes at the same time. With a stage factory, this is also
    /// the number of stage instances (replicas) opened, each used by one item at a time.
    /// </summary>
    /// <value>The default is 1.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(MaxDegreeOfParallelism));
            _maxDegreeOfParallelism = value;
        }
    }

    /// <summary>
    /// Whether outputs leave the stage in input order when <see cref="MaxDegreeOfParallelism"/> is above 1.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool EnsureOrdered { get; set; } = true;

    /// <summary>
    /// What happens when the input queue is full. Items shed by a drop mode that implement
    /// <see cref="IDisposable"/> are disposed by the pipeline, since no stage will receive them.
    /// </summary>
    /// <value>The default is <see cref="Flow.Pipeline.FullMode.Wait"/> (backpressure, nothing lost).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="Flow.Pipeline.FullMode"/>.</exception>
    public FullMode FullMode
    {
        get;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(FullMode), value, "unknown full mode");
            }

            field = value;
        }
    } = FullMode.Wait;

    /// <summary>What happens when processing an item throws.</summary>
    /// <value>The default is <see cref="ErrorPolicy.Stop"/>: the run fails with a <see cref="StageFailedException"/>.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public ErrorPolicy ErrorPolicy
    {
        get => _errorPolicy;
        set
        {
            ArgumentNullException.ThrowIfNull(value, nameof(ErrorPolicy));
            _errorPolicy = value;
        }
    }

    /// <summary>
    /// The scheduler that runs the stage's work (its blocks' tasks), for a stage that must run on
    /// threads of its own rather than the shared thread pool — for example a dedicated thread per stage
    /// that keeps its core between items instead of waking a pool thread for each.
    /// </summary>
    /// <value>The default is <see langword="null"/>: <see cref="TaskScheduler.Default"/> (the thread pool).</value>
    public TaskScheduler? TaskScheduler { get; set; }

    /// <summary>
    /// The most items one task of the stage processes before it gives its thread back to the
    /// <see cref="TaskScheduler"/> (TPL Dataflow's <c>MaxMessagesPerTask</c>). On a single-threaded
    /// scheduler, 1 lets the task that hands the stage's outputs on run between items.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no limit.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int? MaxItemsPerTask
    {
        get;
        set
        {
            if (value is { } limit)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit, nameof(MaxItemsPerTask));
            }

            field = value;
        }
    }

    /// <summary>Returns a copy, so later changes to this object do not reach a built stage.</summary>
    /// <returns>A new options object with the same values.</returns>
    public StageOptions Clone() => (StageOptions)MemberwiseClone();
}
