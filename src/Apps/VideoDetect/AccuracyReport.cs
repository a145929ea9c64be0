using System.Globalization;

namespace Flow.Apps.VideoDetect;

/// <summary>Detection accuracy against ground truth at one IoU threshold, and track-id stability.</summary>
/// <param name="Frames">Frames compared.</param>
/// <param name="TruePositives">Detections matched to a known box.</param>
/// <param name="FalsePositives">Detections matched to nothing.</param>
/// <param name="FalseNegatives">Known boxes no detection matched.</param>
/// <param name="IdSwitches">Times a known object was matched to a different track id than the previous time it was matched.</param>
/// <param name="IouThreshold">The least IoU for a match.</param>
public sealed record AccuracyReport(int Frames, int TruePositives, int FalsePositives, int FalseNegatives, int IdSwitches, float IouThreshold)
{
    /// <summary>TP / (TP + FP); 1 when nothing was detected.</summary>
    public double Precision => TruePositives + FalsePositives == 0 ? 1 : (double)TruePositives / (TruePositives + FalsePositives);

    /// <summary>TP / (TP + FN); 1 when there was nothing to find.</summary>
    public double Recall => TruePositives + FalseNegatives == 0 ? 1 : (double)TruePositives / (TruePositives + FalseNegatives);

    /// <summary>One line: precision, recall, counts and id switches.</summary>
    /// <returns>The line.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"precision {Precision:0.000}, recall {Recall:0.000} at IoU {IouThreshold:0.##} over {Frames} frames (TP {TruePositives}, FP {FalsePositives}, FN {FalseNegatives}), id switches {IdSwitches}");
}
