namespace Flow.Pipeline;

/// <summary>What a stage learns about itself when it is opened.</summary>
public sealed class StageContext
{
    /// <summary>
    /// Creates a context. The pipeline creates one per stage instance; create your own to open a
    /// stage outside a pipeline (unit tests, tools).
    /// </summary>
    /// <param name="stageName">The stage's name.</param>
    /// <param name="replica">Which replica this instance is (0-based).</param>
    /// <param name="replicaCount">How many replicas the stage has.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> means <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="stageName"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The replica index or count is out of range.</exception>
    public StageContext(string stageName, int replica = 0, int replicaCount = 1, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stageName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(replicaCount);
        ArgumentOutOfRangeException.ThrowIfNegative(replica);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(replica, replicaCount);
        StageName = stageName;
        Replica = replica;
        ReplicaCount = replicaCount;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The stage's name.</summary>
    public string StageName { get; }

    /// <summary>Which replica this instance is (0-based); 0 for a shared instance.</summary>
    public int Replica { get; }

    /// <summary>How many replicas the stage has; 1 for a shared instance.</summary>
    public int ReplicaCount { get; }

    /// <summary>The pipeline's clock.</summary>
    public TimeProvider TimeProvider { get; }
}
