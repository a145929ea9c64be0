namespace Flow.Pipeline;

/// <summary>The figures of one stage at one moment of a run (or at its end).</summary>
public sealed class StageSnapshot
{
    /// <summary>The stage's name.</summary>
    public required string Name { get; init; }

    /// <summary>What kind of stage it is: source, then, many, batch, unbatch, broadcast, distribute, partition, merge, sink.</summary>
    public required string Kind { get; init; }

    /// <summary>The names of the stages that feed this one.</summary>
    public IReadOnlyList<string> Upstream { get; init; } = [];

    /// <summary>The stage's degree of parallelism.</summary>
    public int MaxDegreeOfParallelism { get; init; }

    /// <summary>The stage's bounded capacity (0 for sources).</summary>
    public int BoundedCapacity { get; init; }

    /// <summary>Items that entered the stage's processing.</summary>
    public long ItemsIn { get; init; }

    /// <summary>Items the stage emitted (for sinks: items consumed successfully).</summary>
    public long ItemsOut { get; init; }

    /// <summary>Items discarded by load shedding (<see cref="FullMode"/> other than Wait).</summary>
    public long Dropped { get; init; }

    /// <summary>Items dropped by <see cref="ErrorPolicy.Skip"/>.</summary>
    public long Skipped { get; init; }

    /// <summary>Items recorded as dead letters.</summary>
    public long DeadLettered { get; init; }

    /// <summary>Retry attempts made.</summary>
    public long Retries { get; init; }

    /// <summary>Output rate over the whole run so far.</summary>
    public double ItemsPerSecond { get; init; }

    /// <summary>Median time to process one item.</summary>
    public TimeSpan LatencyP50 { get; init; }

    /// <summary>95th percentile of the time to process one item.</summary>
    public TimeSpan LatencyP95 { get; init; }

    /// <summary>99th percentile of the time to process one item.</summary>
    public TimeSpan LatencyP99 { get; init; }

    /// <summary>Items waiting in the stage's input queue when sampled.</summary>
    public int QueueDepth { get; init; }

    /// <summary>Processing time divided by (elapsed time × degree of parallelism), 0–1.</summary>
    public double BusyRatio { get; init; }

    /// <summary>
    /// Time the stage could not hand on its output because the next stage was full. Sources, batch
    /// and fan-out stages measure it exactly; transform stages by sampling their output queue.
    /// </summary>
    public TimeSpan BlockedTime { get; init; }

    /// <summary>Time since the run started.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>For sinks: median time from the item's source to its consumption.</summary>
    public TimeSpan EndToEndP50 { get; init; }

    /// <summary>For sinks: 99th percentile of the time from the item's source to its consumption.</summary>
    public TimeSpan EndToEndP99 { get; init; }

    /// <summary><see cref="BlockedTime"/> as a share of <see cref="Elapsed"/>, 0–1.</summary>
    public double BlockedRatio => Elapsed > TimeSpan.Zero ? Math.Min(1, BlockedTime / Elapsed) : 0;
}
