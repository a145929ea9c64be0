namespace Flow.Neural;

/// <summary>Timing of one pipeline-parallel step: how long each stage computed and how much of the time it idled.</summary>
/// <param name="WallTime">Time from the first stage starting to the last stage finishing.</param>
/// <param name="StageBusy">Compute time of each stage: its forward and backward passes, weight-gradient
/// flush and weight packing, timed around the computation only (never around a wait for another stage).</param>
/// <param name="MicroBatches">The number of micro-batches M.</param>
public sealed record PipelineStepStatistics(TimeSpan WallTime, IReadOnlyList<TimeSpan> StageBusy, int MicroBatches)
{
    /// <summary>Gets the measured bubble as GPipe defines it: the fraction of stage-time spent idle, 1 − Σ busy / (K · wall).</summary>
    public double BubbleFraction => WallTime <= TimeSpan.Zero ? 0 : 1 - (StageBusy.Sum(b => b.TotalSeconds) / (StageBusy.Count * WallTime.TotalSeconds));

    /// <summary>Gets each stage's own idle fraction, 1 − busy / wall; <see cref="BubbleFraction"/> is their mean.</summary>
    public IReadOnlyList<double> StageIdleFractions => [.. StageBusy.Select(b => WallTime <= TimeSpan.Zero ? 0 : 1 - (b.TotalSeconds / WallTime.TotalSeconds))];

    /// <summary>
    /// Gets the stage imbalance: the busiest stage's compute time over the mean, minus one (0 for equal
    /// stages). GPipe's formula assumes equal stages; every stage but the busiest idles for at least
    /// its shortfall, so an imbalance raises the measured bubble above the formula.
    /// </summary>
    public double Imbalance => StageBusy.Count == 0 || StageBusy.Sum(b => b.TotalSeconds) <= 0 ? 0 : (StageBusy.Max().TotalSeconds / StageBusy.Average(b => b.TotalSeconds)) - 1;

    /// <summary>Gets GPipe's ideal bubble for balanced stages, (K − 1) / (M + K − 1).</summary>
    public double TheoreticalBubbleFraction => (double)(StageBusy.Count - 1) / (MicroBatches + StageBusy.Count - 1);
}
