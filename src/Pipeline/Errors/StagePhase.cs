namespace Flow.Pipeline;

/// <summary>The part of a stage's lifecycle in which something failed.</summary>
public enum StagePhase
{
    /// <summary>While opening (loading models, connecting); nothing else ran.</summary>
    Open,

    /// <summary>While processing an item.</summary>
    Process,

    /// <summary>While closing.</summary>
    Close,
}
