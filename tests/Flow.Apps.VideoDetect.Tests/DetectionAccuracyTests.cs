using Flow.Stages.Video;

namespace Flow.Apps.VideoDetect.Tests;

public class DetectionAccuracyTests
{
    private static GroundTruthClip Truth(params GroundTruthBox[][] frames) => new("x.avi", frames);

    private static FrameDetections Found(long frame, params (float X, int Track)[] boxes) =>
        new(frame, TimeSpan.Zero, boxes.Select(b => new Detection(BoundingBox.FromXywh(b.X, 0, 10, 10), 0.9f, "face", b.Track)).ToArray());

    private static GroundTruthBox Known(int id, float x) => new(id, BoundingBox.FromXywh(x, 0, 10, 10));

    [Fact]
    public void Evaluate_HandMadeFrames_CountsMatchesMissesAndFalseAlarms()
    {
        var truth = Truth([Known(0, 0), Known(1, 100)], [Known(0, 2), Known(1, 100)], [Known(0, 4)]);
        var found = new[]
        {
            Found(0, (1, 1), (100, 2), (300, 3)), // 2 TP, 1 FP
            Found(1, (2, 1)),                     // 1 TP, 1 FN
            // frame 2 missing entirely: 1 FN
        };
        var report = DetectionAccuracy.Evaluate(truth, found);
        Assert.Equal(3, report.TruePositives);
        Assert.Equal(1, report.FalsePositives);
        Assert.Equal(2, report.FalseNegatives);
        Assert.Equal(0.75, report.Precision, 6);
        Assert.Equal(0.6, report.Recall, 6);
        Assert.Equal(0, report.IdSwitches);
    }

    [Fact]
    public void Evaluate_ObjectMatchedToANewTrack_CountsAnIdSwitch()
    {
        var truth = Truth([Known(0, 0)], [Known(0, 0)], [Known(0, 0)]);
        var report = DetectionAccuracy.Evaluate(truth, [Found(0, (0, 1)), Found(1, (0, 2)), Found(2, (0, 2))]);
        Assert.Equal(1, report.IdSwitches);
    }

    [Fact]
    public void Evaluate_OverlapBelowThreshold_IsAMissAndAFalseAlarm()
    {
        // Shifted by 6 of 10 pixels: IoU = 40 / 160 = 0.25.
        var report = DetectionAccuracy.Evaluate(Truth([Known(0, 0)]), [Found(0, (6, 1))]);
        Assert.Equal(0, report.TruePositives);
        Assert.Equal(1, report.FalsePositives);
        Assert.Equal(1, report.FalseNegatives);
    }
}
