using Flow.Neural;
using Flow.Pipeline;
using Flow.Stages.Inference;
using OpenCvSharp;

using static Flow.Stages.Video.Tests.DetectorHarness;

namespace Flow.Stages.Video.Tests;

public class HogPeopleDetectorTests
{
    [Fact]
    public async Task Hog_VtestFrame_FindsPeopleInsideTheFrame()
    {
        using var capture = new VideoCapture(TestFiles.Asset("vtest.avi"));
        var image = new Mat();
        Assert.True(capture.Read(image));
        var results = await RunAsync<HogPeopleDetector>([new Frame(0, TimeSpan.Zero, image, "vtest")], frames => frames.Then(() => new HogPeopleDetector()));
        var detections = Assert.Single(results).Detections;
        Assert.InRange(detections.Count, 1, 15);
        Assert.All(detections, d =>
        {
            Assert.Equal("person", d.Label);
            Assert.True(d.Box.X1 >= 0 && d.Box.X2 <= 768 && d.Box.Y1 >= 0 && d.Box.Y2 <= 576);
            Assert.True(d.Box.Height > d.Box.Width, "a standing person is taller than wide");
        });
    }
}
