namespace Flow.Pipeline;

/// <summary>What a stage learns about itself when it is opened.</summary>
public sealed class StageContext
{
    internal StageContext(string stageName, int replica, int replicaCount, TimeProvider timeProvider)
    {
        StageName = stageName;
        Replica = replica;
        ReplicaCount = replicaCount;
        TimeProvider = timeProvider;
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
