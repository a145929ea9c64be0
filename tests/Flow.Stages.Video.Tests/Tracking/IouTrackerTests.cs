namespace Flow.Stages.Video.Tests;

public class IouTrackerTests
{
    private static Detection D(float x, float y, string label = "face") => new(BoundingBox.FromXywh(x, y, 20, 20), 0.9f, label);

    [Fact]
    public void Update_TwoObjectsMovingSlowly_KeepTheirIds()
    {
        var tracker = new IouTracker();
        var first = tracker.Update([D(0, 0), D(100, 0)]);
        Assert.Equal([1, 2], first.Select(d => d.TrackId));
        for (int step = 1; step <= 10; step++)
        {
            // Listed in the other order, to show matching is by overlap, not by position in the list.
            var next = tracker.Update([D(100 - (2 * step), 0), D(2 * step, 0)]);
            Assert.Equal([2, 1], next.Select(d => d.TrackId));
        }

        Assert.Equal(2, tracker.TracksStarted);
    }

    [Fact]
    public void Update_ObjectMissingForMaxMissedFrames_KeepsItsId()
    {
        var tracker = new IouTracker(new IouTrackerOptions { MaxMissedFrames = 2 });
        tracker.Update([D(0, 0)]);
        tracker.Update([]);
        tracker.Update([]);
        Assert.Equal(1, tracker.Update([D(1, 0)])[0].TrackId);
    }

    [Fact]
    public void Update_ObjectMissingLongerThanMaxMissedFrames_GetsANewId()
    {
        var tracker = new IouTracker(new IouTrackerOptions { MaxMissedFrames = 2 });
        tracker.Update([D(0, 0)]);
        tracker.Update([]);
        tracker.Update([]);
        tracker.Update([]);
        Assert.Equal(2, tracker.Update([D(1, 0)])[0].TrackId);
    }

    [Fact]
    public void Update_JumpBeyondIouThreshold_StartsANewTrack()
    {
        var tracker = new IouTracker(new IouTrackerOptions { IouThreshold = 0.3f });
        tracker.Update([D(0, 0)]);
        // Shifted by 12 of 20 pixels: IoU = 8*20 / (2*400 - 160) = 0.25 < 0.3.
        Assert.Equal(2, tracker.Update([D(12, 0)])[0].TrackId);
    }

    [Fact]
    public void Update_DifferentLabelAtSamePlace_IsNotMatched()
    {
        var tracker = new IouTracker();
        tracker.Update([D(0, 0, "face")]);
        Assert.Equal(2, tracker.Update([D(0, 0, "person")])[0].TrackId);
    }

    [Fact]
    public void Update_TwoDetectionsCompetingForOneTrack_BestOverlapWinsOtherGetsNewId()
    {
        var tracker = new IouTracker();
        tracker.Update([D(0, 0)]);
        var next = tracker.Update([D(8, 0), D(2, 0)]);
        Assert.Equal(2, next[0].TrackId);
        Assert.Equal(1, next[1].TrackId);
    }

    [Fact]
    public async Task ProcessAsync_FrameOutOfOrder_ThrowsNamingBothFrames()
    {
        using var image = new OpenCvSharp.Mat(4, 4, OpenCvSharp.MatType.CV_8UC3);
        var tracker = new IouTracker();
        await tracker.ProcessAsync(new DetectionFrame(TestFiles.FrameOf(image, 5), []), default);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await tracker.ProcessAsync(new DetectionFrame(TestFiles.FrameOf(image, 3), []), default));
        Assert.Contains("frame 3 after frame 5", ex.Message, StringComparison.Ordinal);
    }
}
