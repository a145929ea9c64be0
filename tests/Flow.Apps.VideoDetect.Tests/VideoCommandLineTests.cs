using System.CommandLine;
using Flow.Stages.Video;

namespace Flow.Apps.VideoDetect.Tests;

public class VideoCommandLineTests
{
    private static async Task<(int Code, string Output, string Error)> RunAsync(VideoDetectOptions options)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        options.View = Flow.Pipeline.LiveViewMode.ReportOnly;
        int code = await VideoCommandLine.RunAsync(options, output, error, default);
        return (code, output.ToString(), error.ToString().TrimEnd());
    }

    [Fact]
    public async Task Run_TruncatedVideo_ProcessesFramesBeforeTheDamageThenFailsWithOneLine()
    {
        string folder = TestClips.NewFolder();
        string damaged = Path.Combine(folder, "damaged.avi");
        byte[] bytes = await File.ReadAllBytesAsync(TestClips.Faces24.VideoPath);
        await File.WriteAllBytesAsync(damaged, bytes[..(bytes.Length * 2 / 3)]);
        string json = Path.Combine(folder, "out.jsonl");

        var (code, output, error) = await RunAsync(new VideoDetectOptions { Input = damaged, JsonOutput = json });

        Assert.Equal(VideoCommandLine.InputError, code);
        var lines = await File.ReadAllLinesAsync(json);
        Assert.InRange(lines.Length, 4, 23);
        Assert.Equal($"flow video: video file '{damaged}' is truncated or corrupt: decoding stopped after {lines.Length} of 24 frames", error);
        Assert.Contains($"video: {lines.Length} frames out of {lines.Length} read", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ImageFolderWithACorruptImageInTheMiddle_ProcessesEveryOtherImageThenFailsWithOneLinePerSkippedImage()
    {
        string folder = TestClips.NewFolder();
        File.Copy(TestClips.Asset("grace_hopper_512x512.jpg"), Path.Combine(folder, "a.jpg"));
        string broken = Path.Combine(folder, "b.jpg");
        byte[] photo = await File.ReadAllBytesAsync(TestClips.Asset("sample3.jpg"));
        await File.WriteAllBytesAsync(broken, photo[..64]); // a JPEG cut inside its header
        File.Copy(TestClips.Asset("sample3.jpg"), Path.Combine(folder, "c.jpg"));
        File.Copy(TestClips.Asset("grace_hopper_512x512.jpg"), Path.Combine(folder, "d.jpg"));
        string json = Path.Combine(TestClips.NewFolder(), "out.jsonl");

        var (code, output, error) = await RunAsync(new VideoDetectOptions { Input = folder, Detector = DetectorKind.BlazeFaceBack, JsonOutput = json });

        Assert.Equal(VideoCommandLine.InputError, code);
        var frames = (await File.ReadAllLinesAsync(json)).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("frame").GetInt64());
        Assert.Equal([0L, 2L, 3L], frames); // the skipped image keeps its index
        Assert.Equal($"flow video: image '{broken}' (frame 1 of folder '{folder}') skipped: it cannot be decoded (damaged, or not an image in the format its extension names)", error);
        Assert.Contains("video: 3 frames out of 3 read, ", output, StringComparison.Ordinal);
        Assert.Contains(", 1 unreadable image(s) skipped; ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DefaultsOnAFile_ReportLineNamesTheMeasuredReplicasAndDecodingThreads()
    {
        var (code, output, _) = await RunAsync(new VideoDetectOptions { Input = TestClips.Faces100.VideoPath });
        var (setCode, setOutput, _) = await RunAsync(new VideoDetectOptions { Input = TestClips.Faces100.VideoPath, DegreeOfParallelism = 2, MaxFrames = 10 });

        Assert.Equal((0, 0), (code, setCode));
        Assert.Matches(@"video: 100 frames out of 100 read, \d+ detections, \d+ tracks; dop \d+, \d+ FFmpeg decoding threads?, preprocess holds \d+ \(measured: decode \d+\.\d\d ms/frame, detect \d+\.\d\d ms/frame\)", output);
        Assert.Contains($"video: 10 frames out of 10 read, ", setOutput, StringComparison.Ordinal);
        Assert.Contains($"; dop 2, {Math.Max(1, Environment.ProcessorCount - 2)} FFmpeg decoding thread", setOutput, StringComparison.Ordinal);
        Assert.EndsWith(" (set)", setOutput.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingModel_FailsWithOneLineNamingIt()
    {
        var options = new VideoDetectOptions { Input = TestClips.Faces24.VideoPath };
        options.SetDetector("onnx:/models/absent.onnx");
        var (code, _, error) = await RunAsync(options);
        Assert.Equal(VideoCommandLine.InputError, code);
        Assert.Equal("flow video: model file '/models/absent.onnx' not found (run scripts/setup.sh to fetch the bundled models, or pass an existing .onnx file)", error);
    }

    [Fact]
    public async Task Run_MissingBlazeFaceFile_FailsWithOneLineNamingIt()
    {
        var (code, _, error) = await RunAsync(new VideoDetectOptions { Input = TestClips.Faces24.VideoPath, ModelPath = "/models/face.onnx" });
        Assert.Equal(VideoCommandLine.InputError, code);
        Assert.StartsWith("flow video: model file '/models/face.onnx' not found", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public async Task Run_NoCamera_FailsWithOneLineNamingTheIndex()
    {
        var (code, _, error) = await RunAsync(new VideoDetectOptions { Input = "63" });
        Assert.Equal(VideoCommandLine.InputError, code);
        Assert.Equal("flow video: camera 63 cannot be opened (no such device /dev/video63, or it is busy)", error);
    }

    [Fact]
    public async Task Run_MissingInputFile_FailsWithOneLineNamingIt()
    {
        var (code, _, error) = await RunAsync(new VideoDetectOptions { Input = "/videos/none.mp4" });
        Assert.Equal(VideoCommandLine.InputError, code);
        Assert.Equal("flow video: video file '/videos/none.mp4' not found", error);
    }

    [Fact]
    public async Task Run_UnsupportedOutputExtension_FailsWithOneLine()
    {
        var (code, _, error) = await RunAsync(new VideoDetectOptions { Input = TestClips.Faces24.VideoPath, VideoOutput = "out.mkv" });
        Assert.Equal(VideoCommandLine.InputError, code);
        Assert.Equal("flow video: video file 'out.mkv': use .mp4 (mp4v) or .avi (MJPG)", error);
    }

    [Fact]
    public void Describe_NativeLibraryMissingInsideATypeInitializer_FirstLineOfTheLoadError()
    {
        var missing = new DllNotFoundException("Unable to load shared library 'OpenCvSharpExtern' or one of its dependencies: libgtk-3.so.0: cannot open shared object file\nsecond line");
        var wrapped = new Flow.Pipeline.StageFailedException("decode", Flow.Pipeline.StagePhase.Open, null, new TypeInitializationException("OpenCvSharp.Internal.NativeMethods", missing));

        Assert.Equal("Unable to load shared library 'OpenCvSharpExtern' or one of its dependencies: libgtk-3.so.0: cannot open shared object file", VideoCommandLine.Describe(wrapped));
        Assert.Null(VideoCommandLine.Describe(new NotSupportedException("a bug")));
    }

    [Fact]
    public void Bind_CommandLine_MapsEveryOption()
    {
        var root = new RootCommand { VideoCommands.Create() };
        var parsed = root.Parse(["video", "clip.avi", "-d", "hog", "--dop", "3", "--batch", "4", "--max-frames", "9", "-o", "a.mp4", "--json", "a.jsonl", "--snapshots", "snaps", "--decoder-threads", "2", "--decoder", "opencv", "-q"]);
        Assert.Empty(parsed.Errors);
        var options = VideoCommandLine.Bind(parsed);
        Assert.Equal("clip.avi", options.Input);
        Assert.Equal(DetectorKind.Hog, options.Detector);
        Assert.Equal(3, options.DegreeOfParallelism);
        Assert.Equal(4, options.BatchSize);
        Assert.Equal(9, options.MaxFrames);
        Assert.Equal("a.mp4", options.VideoOutput);
        Assert.Equal("a.jsonl", options.JsonOutput);
        Assert.Equal("snaps", options.SnapshotDirectory);
        Assert.Equal(2, options.DecoderThreads);
        Assert.Equal(VideoDecoder.OpenCv, options.Decoder);
        Assert.Equal(Flow.Pipeline.LiveViewMode.ReportOnly, options.View);
    }

    [Theory]
    [InlineData(null, VideoDecoder.Auto)]
    [InlineData("auto", VideoDecoder.Auto)]
    [InlineData("FFmpeg", VideoDecoder.FFmpeg)]
    [InlineData("opencv", VideoDecoder.OpenCv)]
    public void Bind_Decoder_ParsesTheName(string? name, VideoDecoder expected)
    {
        var root = new RootCommand { VideoCommands.Create() };
        var options = VideoCommandLine.Bind(root.Parse(name is null ? ["video", "clip.avi"] : ["video", "clip.avi", "--decoder", name]));
        Assert.Equal(expected, options.Decoder);
    }

    [Fact]
    public void Bind_UnknownDecoder_ThrowsNamingTheValidOnes()
    {
        var root = new RootCommand { VideoCommands.Create() };
        var error = Assert.Throws<ArgumentException>(() => VideoCommandLine.Bind(root.Parse(["video", "clip.avi", "--decoder", "gstreamer"])));
        Assert.StartsWith("unknown decoder 'gstreamer' (auto, ffmpeg or opencv)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FileFFmpegsDecoderDoesNotTake_DecodesWithOpenCvAndSaysWhyInOneLine()
    {
        string folder = TestClips.NewFolder();
        string clip = Path.Combine(folder, "odd.avi");
        using (var writer = new OpenCvSharp.VideoWriter(clip, OpenCvSharp.FourCC.MJPG, 10, new OpenCvSharp.Size(100, 60)))
        {
            for (int i = 0; i < 3; i++)
            {
                using var image = new OpenCvSharp.Mat(60, 100, OpenCvSharp.MatType.CV_8UC3, OpenCvSharp.Scalar.All(40 * i));
                writer.Write(image);
            }
        }

        var (code, output, error) = await RunAsync(new VideoDetectOptions { Input = clip });

        Assert.Equal(0, code);
        Assert.Equal($"flow video: FFmpeg's decoder not used for '{clip}': its size 100x60 is not a multiple of 16 wide and 2 high; decoding with OpenCV", error);
        Assert.Contains("video: 3 frames out of 3 read", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("blazeface-front", null, 2)]
    [InlineData("hog", null, 1)]
    [InlineData("haar", null, 1)]
    [InlineData("hog", "3", 3)]
    [InlineData("blazeface-back", "1", 1)]
    public void Bind_Dop_DefaultsPerDetector_ExplicitValueWins(string detector, string? dop, int expected)
    {
        var root = new RootCommand { VideoCommands.Create() };
        string[] args = dop is null ? ["video", "clip.avi", "-d", detector] : ["video", "clip.avi", "-d", detector, "--dop", dop];
        var options = VideoCommandLine.Bind(root.Parse(args));
        Assert.Equal(expected, options.DegreeOfParallelism);
    }

    [Fact]
    public void Bind_ZeroDop_ThrowsArgumentException()
    {
        var root = new RootCommand { VideoCommands.Create() };
        Assert.Throws<ArgumentOutOfRangeException>(() => VideoCommandLine.Bind(root.Parse(["video", "clip.avi", "--dop", "0"])));
    }

    [Fact]
    public async Task RunDemoAsync_EmbeddedDefaults_ReportsFaceAccuracyAndPeople()
    {
        using var output = new StringWriter();
        int code = await VideoCommands.RunDemoAsync(output, default);
        string text = output.ToString();
        Assert.True(code == 0, text);
        Assert.Contains("faces: precision", text, StringComparison.Ordinal);
        Assert.Contains($"people: {VideoDemo.PeopleFrames} frames", text, StringComparison.Ordinal);
        Assert.Contains("bottleneck:", text, StringComparison.Ordinal);
    }
}
