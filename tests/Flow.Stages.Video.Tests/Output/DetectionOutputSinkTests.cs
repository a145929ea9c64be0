using System.Text.Json;
using Flow.Pipeline;
using OpenCvSharp;

namespace Flow.Stages.Video.Tests;

public class DetectionOutputSinkTests
{
    private static IEnumerable<DetectionFrame> Frames(int count) => Enumerable.Range(0, count).Select(i => new DetectionFrame(
        new Frame(i, TimeSpan.FromMilliseconds(100 * i), new Mat(120, 160, MatType.CV_8UC3, Scalar.All(40)), "test"),
        i % 2 == 0 ? [new Detection(new BoundingBox(10, 20, 50, 70), 0.875f, "face", 3)] : []));

    private static async Task RunAsync(int frames, DetectionOutputSink sink)
    {
        var builder = new PipelineBuilder();
        builder.From(Frames(frames), "frames").To(sink);
        await builder.Build().RunAsync();
    }

    [Theory]
    [InlineData("out.mp4")]
    [InlineData("out.avi")]
    public async Task ConsumeAsync_Video_WritesEveryFrameReadableByOpenCv(string name)
    {
        string path = Path.Combine(TestFiles.NewFolder(), name);
        var sink = new DetectionOutputSink(new DetectionOutputOptions { VideoPath = path, FramesPerSecond = 10 });
        await RunAsync(9, sink);
        Assert.Equal(9, sink.FramesWritten);
        using var capture = new VideoCapture(path);
        Assert.True(capture.IsOpened());
        int read = 0;
        using var frame = new Mat();
        while (capture.Read(frame) && !frame.Empty())
        {
            Assert.Equal(160, frame.Width);
            read++;
        }

        Assert.Equal(9, read);
    }

    [Fact]
    public async Task ConsumeAsync_JsonLines_OneObjectPerFrameWithBoxesScoresTracksAndTimes()
    {
        string folder = TestFiles.NewFolder();
        string path = Path.Combine(folder, "sub", "detections.jsonl");
        var sink = new DetectionOutputSink(new DetectionOutputOptions { JsonLinesPath = path, SnapshotDirectory = Path.Combine(folder, "snaps"), SnapshotEvery = 2 });
        await RunAsync(5, sink);
        string[] lines = await File.ReadAllLinesAsync(path);
        Assert.Equal(5, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var root = first.RootElement;
        Assert.Equal(0, root.GetProperty("frame").GetInt64());
        var detection = Assert.Single(root.GetProperty("detections").EnumerateArray().ToArray());
        Assert.Equal("face", detection.GetProperty("label").GetString());
        Assert.Equal(3, detection.GetProperty("track").GetInt32());
        Assert.Equal(0.875, detection.GetProperty("score").GetDouble());
        Assert.Equal(50, detection.GetProperty("x2").GetDouble());
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal(100, second.RootElement.GetProperty("time_ms").GetDouble());
        Assert.Empty(second.RootElement.GetProperty("detections").EnumerateArray());
        // Frames 0, 2 and 4 have detections; windows of 2 frames: 0-1, 2-3, 4.
        Assert.Equal(["frame_000000.jpg", "frame_000002.jpg", "frame_000004.jpg"], Directory.GetFiles(Path.Combine(folder, "snaps")).Select(Path.GetFileName).Order());
        Assert.Equal(3, sink.SnapshotsWritten);
    }

    [Fact]
    public void Constructor_UnsupportedVideoExtension_ThrowsNamingTheFile()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DetectionOutputSink(new DetectionOutputOptions { VideoPath = "out.mkv" }));
        Assert.StartsWith("video file 'out.mkv': use .mp4 (mp4v) or .avi (MJPG)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Annotate_Detection_DrawsInsideTheBoxOutline()
    {
        using var image = new Mat(100, 100, MatType.CV_8UC3, Scalar.All(0));
        DetectionOutputSink.Annotate(image, [new Detection(new BoundingBox(20, 30, 60, 80), 0.9f, "face", 1)]);
        Assert.NotEqual(0, image.At<Vec3b>(30, 40).Item1 + image.At<Vec3b>(30, 40).Item2 + image.At<Vec3b>(30, 40).Item0);
        Assert.Equal(0, image.At<Vec3b>(55, 40).Item1); // inside the box stays untouched
    }
}
