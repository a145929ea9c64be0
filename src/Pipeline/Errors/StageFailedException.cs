namespace Flow.Pipeline;

/// <summary>
/// A stage failed: it names the stage, the phase and, for items, the item's sequence number; the
/// original exception is <see cref="Exception.InnerException"/>. A run surfaces exactly one.
/// </summary>
public sealed class StageFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="stageName">The stage that failed.</param>
    /// <param name="phase">The lifecycle phase.</param>
    /// <param name="sequence">The item's sequence number, or <see langword="null"/> outside item processing.</param>
    /// <param name="innerException">The original exception.</param>
    public StageFailedException(string stageName, StagePhase phase, long? sequence, Exception innerException)
        : base(Describe(stageName, phase, sequence, innerException), innerException)
    {
        StageName = stageName;
        Phase = phase;
        Sequence = sequence;
    }

    /// <summary>The name of the stage that failed.</summary>
    public string StageName { get; }

    /// <summary>The lifecycle phase in which it failed.</summary>
    public StagePhase Phase { get; }

    /// <summary>The sequence number of the item being processed, if any.</summary>
    public long? Sequence { get; }

    private static string Describe(string stage, StagePhase phase, long? sequence, Exception inner) => phase switch
    {
        StagePhase.Open => $"stage '{stage}' failed to open: {inner.Message}",
        StagePhase.Close => $"stage '{stage}' failed to close: {inner.Message}",
        _ when sequence is { } s => $"stage '{stage}' failed on item #{s}: {inner.Message}",
        _ => $"stage '{stage}' failed: {inner.Message}",
    };
}
