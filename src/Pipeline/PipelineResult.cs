namespace Flow.Pipeline;

/// <summary>How a run ended without failing.</summary>
public enum PipelineOutcome
{
    /// <summary>Every source ended and every sink drained.</summary>
    Completed,

    /// <summary>A graceful stop was requested: sources stopped early, everything already read drained.</summary>
    Stopped,
}

/// <summary>The outcome of a run: final figures per stage, dead letters and the bottleneck.</summary>
public sealed class PipelineResult
{
    internal PipelineResult(PipelineOutcome outcome, PipelineSnapshot snapshot, IReadOnlyList<DeadLetter> deadLetters)
    {
        Outcome = outcome;
        Snapshot = snapshot;
        DeadLetters = deadLetters;
    }

    /// <summary>Whether the run completed or was stopped gracefully.</summary>
    public PipelineOutcome Outcome { get; }

    /// <summary>The final figures.</summary>
    public PipelineSnapshot Snapshot { get; }

    /// <summary>The final figures of every stage, in the order the stages were added.</summary>
    public IReadOnlyList<StageSnapshot> Stages => Snapshot.Stages;

    /// <summary>The run's duration.</summary>
    public TimeSpan Elapsed => Snapshot.Elapsed;

    /// <summary>The stage that limited throughput.</summary>
    public Bottleneck? Bottleneck => Snapshot.Bottleneck;

    /// <summary>Items dropped by <see cref="ErrorPolicy.DeadLetter"/>, in the order they failed.</summary>
    public IReadOnlyList<DeadLetter> DeadLetters { get; }

    /// <summary>The final figures of one stage.</summary>
    /// <param name="stageName">The stage's name.</param>
    /// <returns>Its snapshot.</returns>
    /// <exception cref="KeyNotFoundException">No stage has that name.</exception>
    public StageSnapshot this[string stageName] => Snapshot[stageName];

    /// <summary>The end-of-run report as plain text: one line per stage, then the bottleneck.</summary>
    /// <returns>The report.</returns>
    public string FormatReport() => PipelineReport.Format(Snapshot, Outcome.ToString().ToLowerInvariant(), DeadLetters.Count);
}
