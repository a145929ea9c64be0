using Flow.Neural;
using Flow.Pipeline;
using Flow.Stages.Inference;
using OpenCvSharp;

using static Flow.Stages.Video.Tests.DetectorHarness;

namespace Flow.Stages.Video.Tests;

public class HaarFaceDetectorTests
{
    [Fact]
    public async Task Haar_Portrait_FindsTheFace()
    {
        var results = await RunAsync<HaarFaceDetector>([Grace()], frames => frames.Then(() => new HaarFaceDetector()));
        var detections = Assert.Single(results).Detections;
        Assert.Contains(detections, d => d.Box.IntersectionOverUnion(GraceFace) > 0.5);
    }

    [Fact]
    public async Task Haar_MissingCascade_FailsToOpenNamingTheFile()
    {
        var ex = await Assert.ThrowsAsync<StageFailedException>(() => RunAsync<HaarFaceDetector>([], frames => frames.Then(() => new HaarFaceDetector("/nowhere/cascade.xml"))));
        Assert.Equal("cascade file '/nowhere/cascade.xml' not found (install the Debian package opencv-data, or pass another cascade)", ex.InnerException!.Message);
    }
}
