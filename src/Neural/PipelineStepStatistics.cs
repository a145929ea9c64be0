namespace Flow.Neural;

/// <summary>Timing of one pipeline-parallel step: how long each stage computed and how much of the time it idled.</summary>
/// <param name="WallTime">Time from the first stage starting to the last stage finishing.</param>
/// <param name="StageBusy">Compute time of each stage (forward and backward).</param>
/// <param name="MicroBatches">The number of micro-batches M.</param>
public sealed record PipelineStepStatistics(TimeSpan WallTime, IReadOnlyList<TimeSpan> StageBusy, int MicroBatches)
{
    /// <summary>Gets the measured bubble: the fraction of stage-time spent idle, 1 − Σ busy / (K · wall).</summary>
    public double BubbleFraction => WallTime <= TimeSpan.Zero ? 0 : 1 - (StageBusy.Sum(b => b.TotalSeconds) / (StageBusy.Count * WallTime.TotalSeconds));

    /// <summary>Gets GPipe's ideal bubble for balanced stages, (K − 1) / (M + K − 1).</summary>
    public double TheoreticalBubbleFraction => (double)(StageBusy.Count - 1) / (MicroBatches + StageBusy.Count - 1);
}
