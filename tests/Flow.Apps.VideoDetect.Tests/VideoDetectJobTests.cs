using Flow.Stages.Video;

namespace Flow.Apps.VideoDetect.Tests;

public class VideoDetectJobTests
{
    [Fact]
    public async Task BlazeFace_GeneratedClipAtDop4_AllFramesInOrderAccurateAndStableIds()
    {
        var clip = TestClips.Faces24;
        var result = await new VideoDetectJob(new VideoDetectOptions
        {
            Input = clip.VideoPath,
            Detector = DetectorKind.BlazeFaceFront,
            DegreeOfParallelism = 4,
            BatchSize = 3,
        }).RunAsync(null, default);

        Assert.Equal(24, result.FramesRead);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (long)i), result.Frames.Select(f => f.FrameIndex));
        Assert.Equal(4, result.Pipeline["detect"].MaxDegreeOfParallelism);
        var accuracy = DetectionAccuracy.Evaluate(clip, result.Frames);
        Assert.True(accuracy.Precision >= 0.9 && accuracy.Recall >= 0.9, accuracy.ToString());
        Assert.Equal(0, accuracy.IdSwitches);
        Assert.Equal(3, result.Tracks);
        Assert.Null(result.InputError);
    }

    [Theory]
    [InlineData(2, 1, null, VideoDecoder.Auto)]
    [InlineData(4, 3, null, VideoDecoder.Auto)]
    [InlineData(1, 1, 2, VideoDecoder.Auto)] // the setting chosen for a decoding-bound input on 2 cores: FFmpeg's frame threads must not change a pixel
    [InlineData(2, 1, null, VideoDecoder.OpenCv)]
    public async Task BlazeFace_GeneratedClip_SameDetectionsAndTrackIdsAsTheSequentialLoop(int dop, int batch, int? decoderThreads, VideoDecoder decoder)
    {
        // The loop a user would write, with the same detector and tracker: pooled tensors, recycled decode
        // images and bound ONNX Runtime buffers in the pipeline must not change a single box.
        var clip = TestClips.Faces24;
        var expected = await SequentialLoopAsync(clip.VideoPath);
        var result = await new VideoDetectJob(new VideoDetectOptions
        {
            Input = clip.VideoPath,
            Detector = DetectorKind.BlazeFaceFront,
            DegreeOfParallelism = dop,
            BatchSize = batch,
            DecoderThreads = decoderThreads,
            Decoder = decoder,
        }).RunAsync(null, default);

        // The loop decodes with OpenCV; the pipeline by default with FFmpeg directly, letterboxing from the YUV planes.
        Assert.Equal(decoder == VideoDecoder.Auto ? VideoDecoder.FFmpeg : VideoDecoder.OpenCv, result.Decoder);
        Assert.Null(result.DecoderFallbackReason);
        Assert.Equal(24, expected.Count);
        Assert.Equal(dop + 1, result.Pipeline["detect"].BoundedCapacity); // a file: one frame more than replicas, so out-of-order results do not stall a replica
        Assert.Equal("set", result.Parallelism.Reason);
        Assert.Equal(decoderThreads ?? Math.Max(1, Environment.ProcessorCount - dop), result.Parallelism.DecoderThreads);
        Assert.True(expected.Sum(d => d.Count) >= 60, "the loop should find most of the 72 faces");
        Assert.Equal(expected.Count, result.Frames.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], result.Frames[i].Detections);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task BlazeFace_DefaultsOnAMeasurableFile_ChooseFromMeasuredCostsAndGiveTheSequentialLoopsDetections(int batch)
    {
        // Neither DOP nor decoding threads set: the job measures the first frames, picks a setting, and hands the
        // session it measured with to the pipeline as a replica, with the frames it decoded and the detections it
        // found (batch 3 mixes frames detected ahead with frames detected in the run). Which setting wins depends on
        // the machine; what must hold is that the run used it and that no frame, box, score or track id differs from
        // the plain loop.
        var clip = TestClips.Faces100;
        var expected = await SequentialLoopAsync(clip.VideoPath);
        var result = await new VideoDetectJob(new VideoDetectOptions { Input = clip.VideoPath, BatchSize = batch }).RunAsync(null, default);

        var choice = result.Parallelism;
        Assert.Equal(VideoDecoder.FFmpeg, result.Decoder); // the frames measured ahead were decoded by it, too
        Assert.True(choice.Measured, choice.ToString());
        Assert.Equal(choice.DegreeOfParallelism, result.Pipeline["detect"].MaxDegreeOfParallelism);
        Assert.Equal(choice.DegreeOfParallelism, result.Pipeline["preprocess"].MaxDegreeOfParallelism);
        Assert.Equal(choice.PreprocessCapacity, result.Pipeline["preprocess"].BoundedCapacity);
        Assert.Equal(100, expected.Count);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), result.Frames.Select(f => f.FrameIndex));
        Assert.Equal(100, result.FramesRead);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], result.Frames[i].Detections);
        }
    }

    [Theory]
    [InlineData(3, null, 99L, "set")]           // an explicit DOP wins
    [InlineData(null, 2, 99L, "set")]           // so do explicit decoding threads
    [InlineData(null, null, 99L, "default")]    // fewer frames than are worth measuring
    public async Task BlazeFace_SetOrShortRuns_AreNotMeasured(int? dop, int? decoderThreads, long maxFrames, string reason)
    {
        var options = new VideoDetectOptions { Input = TestClips.Faces100.VideoPath, DecoderThreads = decoderThreads, MaxFrames = maxFrames };
        if (dop is { } replicas)
        {
            options.DegreeOfParallelism = replicas;
        }

        var result = await new VideoDetectJob(options).RunAsync(null, default);
        Assert.False(result.Parallelism.Measured);
        Assert.Equal(reason, result.Parallelism.Reason);
        Assert.Equal(dop ?? 2, result.Pipeline["detect"].MaxDegreeOfParallelism);
        Assert.Equal(Math.Max(2, dop ?? 2), result.Pipeline["preprocess"].BoundedCapacity); // set or not measured: today's depth
        Assert.Equal(decoderThreads ?? Math.Max(1, Environment.ProcessorCount - (dop ?? 2)), result.Parallelism.DecoderThreads);
        Assert.Equal(99, result.Frames.Count);
    }

    [Fact]
    public async Task Haar_GeneratedClip_FindsMostFaces()
    {
        var clip = TestClips.Faces24;
        var result = await new VideoDetectJob(new VideoDetectOptions { Input = clip.VideoPath, Detector = DetectorKind.Haar, MaxFrames = 12 }).RunAsync(null, default);
        Assert.Equal(12, result.Frames.Count);
        var accuracy = DetectionAccuracy.Evaluate(clip with { Frames = clip.Frames.Take(12).ToArray() }, result.Frames);
        Assert.True(accuracy.Recall >= 0.8 && accuracy.Precision >= 0.8, accuracy.ToString());
    }

    [Fact]
    public async Task Hog_Vtest_WritesAnnotatedVideoAndOneJsonLinePerFrame()
    {
        string folder = TestClips.NewFolder();
        string video = Path.Combine(folder, "people.avi");
        string json = Path.Combine(folder, "people.jsonl");
        var result = await new VideoDetectJob(new VideoDetectOptions
        {
            Input = TestClips.Asset("vtest.avi"),
            Detector = DetectorKind.Hog,
            DegreeOfParallelism = 2,
            MaxFrames = 4,
            VideoOutput = video,
            JsonOutput = json,
        }).RunAsync(null, default);

        Assert.Equal(4, result.Frames.Count);
        Assert.Equal(VideoDecoder.OpenCv, result.Decoder); // HOG needs every frame in BGR: the default decoder is OpenCV's
        Assert.Equal(2, result.Pipeline["detect"].BoundedCapacity); // a slow detector holds only the frames in work (DOP 2)
        Assert.True(result.Detections > 0);
        Assert.All(result.Frames.SelectMany(f => f.Detections), d => Assert.Equal("person", d.Label));
        Assert.Equal(4, File.ReadAllLines(json).Length);
        using var capture = new OpenCvSharp.VideoCapture(video);
        Assert.Equal(4, capture.FrameCount);
        Assert.Equal(10, capture.Fps, 3); // vtest.avi's rate carried into the output
    }

    [Fact]
    public async Task LiveInput_FileUrl_KeepsOrderAndEveryFrameIsOutputOrShed()
    {
        // file:// goes through FFmpeg's URL path, so the job treats it as a live stream (latest-only before the detector).
        var clip = TestClips.Faces24;
        var result = await new VideoDetectJob(new VideoDetectOptions
        {
            Input = "file://" + clip.VideoPath,
            Detector = DetectorKind.BlazeFaceBack,
            DegreeOfParallelism = 2,
        }).RunAsync(null, default);

        var indexes = result.Frames.Select(f => f.FrameIndex).ToArray();
        Assert.Equal(indexes.Order(), indexes);
        Assert.Equal(indexes.Length, indexes.Distinct().Count());
        Assert.Equal(24, result.FramesRead);
        Assert.Equal(result.FramesRead, result.Frames.Count + result.Pipeline.Stages.Sum(s => s.Dropped));
        Assert.Equal(2, result.Pipeline["detect"].BoundedCapacity); // live: one frame per replica, none waits in front of the detector
    }

    [Fact]
    public async Task LiveInput_FileUrlWithVideoOutput_WritesTheVideoAtTheStreamsReportedRate()
    {
        // A 30 fps stream (file:// goes through FFmpeg's URL path, as a camera or rtsp:// does): the annotated video
        // must play at 30 fps, not at the 25 fps the job assumed for every live input.
        string folder = TestClips.NewFolder();
        var clip = SyntheticFaceClip.Generate(Path.Combine(folder, "faces30fps.avi"), new SyntheticClipOptions { FrameCount = 6, FramesPerSecond = 30 });
        string video = Path.Combine(folder, "out.avi");

        var result = await new VideoDetectJob(new VideoDetectOptions
        {
            Input = "file://" + clip.VideoPath,
            Detector = DetectorKind.BlazeFaceFront,
            VideoOutput = video,
        }).RunAsync(null, default);

        Assert.Equal((30d, (string?)null), (result.VideoFramesPerSecond, result.VideoFramesPerSecondFallback));
        Assert.Equal("30 fps", VideoCommandLine.Rate(result));
        using var capture = new OpenCvSharp.VideoCapture(video);
        Assert.Equal(30, capture.Fps, 3);
    }

    [Theory]
    [InlineData(30, "camera 0", 30, null)]
    [InlineData(29.97, "camera 0", 29.97, null)]
    [InlineData(999.5, "camera 0", 999.5, null)]
    [InlineData(0, "camera 0", 25, "camera 0 reports no frame rate")]
    [InlineData(90000, "stream 'rtsp://h/s'", 25, "stream 'rtsp://h/s' reports an implausible frame rate (90000)")]
    [InlineData(-1, "camera 2", 25, "camera 2 reports an implausible frame rate (-1)")]
    [InlineData(double.NaN, "camera 2", 25, "camera 2 reports an implausible frame rate (NaN)")]
    public void OutputFramesPerSecond_ReportedRate_UsedWhenPlausibleElseTheFallbackWithTheReason(double reported, string input, double expected, string? fallback)
    {
        Assert.Equal((expected, fallback), VideoDetectJob.OutputFramesPerSecond(reported, input));
    }

    [Theory]
    [InlineData("file:///tmp/clip.avi", DetectorKind.BlazeFaceFront, "preprocess", true)]
    [InlineData("/tmp/clip.avi", DetectorKind.BlazeFaceFront, "preprocess", false)]
    [InlineData("3", DetectorKind.Hog, "detect", true)]
    [InlineData("/tmp/clip.avi", DetectorKind.Haar, "detect", false)]
    public void Build_LiveInputs_ShedToTheLatestFrameBeforeTheDetector_FilesDoNot(string input, DetectorKind detector, string stage, bool live)
    {
        var job = new VideoDetectJob(new VideoDetectOptions { Input = input, Detector = detector, ModelPath = "unused.onnx" });
        using var source = VideoSource.Parse(input);
        string mermaid = job.Build(source, new DetectionOutputSink(new DetectionOutputOptions())).ToMermaid();
        string line = mermaid.Split('\n').Single(l => l.Contains($"[\"{stage}<br/>", StringComparison.Ordinal));
        Assert.Equal(live, line.Contains("LatestOnly", StringComparison.Ordinal));
        Assert.DoesNotContain("batch<br/>", mermaid, StringComparison.Ordinal); // batches of one need no batch stage
    }

    [Fact]
    public async Task ImageFolder_EveryImageIsAFrame()
    {
        string folder = TestClips.NewFolder();
        foreach (var name in new[] { "grace_hopper_512x512.jpg", "sample3.jpg" })
        {
            File.Copy(TestClips.Asset(name), Path.Combine(folder, name));
        }

        var result = await new VideoDetectJob(new VideoDetectOptions { Input = folder, Detector = DetectorKind.BlazeFaceBack }).RunAsync(null, default);
        Assert.Equal([0L, 1L], result.Frames.Select(f => f.FrameIndex));
        Assert.Single(result.Frames[0].Detections);          // one portrait
        Assert.Equal(3, result.Frames[1].Detections.Count);  // three women in sample3.jpg
    }

    /// <summary>The loop a user would write: one Mat read into again and again, letterbox, BlazeFace front-128, track.</summary>
    [Fact]
    public async Task BlazeFace_AnnotatedVideo_FramesConvertedFromFFmpegsPicturesAreWrittenAsWithOpenCvsDecoder()
    {
        // The sink draws on Frame.Image, which FFmpeg's decoder converts from the YUV picture only when it is read.
        string folder = TestClips.NewFolder();
        var written = new Dictionary<VideoDecoder, List<byte[]>>();
        foreach (var decoder in new[] { VideoDecoder.FFmpeg, VideoDecoder.OpenCv })
        {
            string video = Path.Combine(folder, $"{decoder}.avi");
            var result = await new VideoDetectJob(new VideoDetectOptions { Input = TestClips.Faces24.VideoPath, Decoder = decoder, VideoOutput = video }).RunAsync(null, default);
            Assert.Equal(decoder, result.Decoder);
            Assert.True(result.Detections >= 60, "boxes are drawn on most frames");
            written[decoder] = ReadFrames(video);
        }

        Assert.Equal(24, written[VideoDecoder.FFmpeg].Count);
        Assert.Equal(24, written[VideoDecoder.OpenCv].Count);
        for (int i = 0; i < 24; i++)
        {
            Assert.True(written[VideoDecoder.OpenCv][i].AsSpan().SequenceEqual(written[VideoDecoder.FFmpeg][i]), $"frame {i} of the annotated videos differs");
        }
    }

    [Fact]
    public async Task Decoders_GeneratedClip_FFmpegsFramesAreOpenCvsByteForByte()
    {
        string path = TestClips.Faces24.VideoPath;
        var expected = ReadFrames(path);
        using var source = VideoSource.FromFile(path, new VideoSourceOptions { Decoder = VideoDecoder.FFmpeg });
        await source.OpenAsync(new Flow.Pipeline.StageContext("decode"), default);
        var actual = new List<byte[]>();
        await foreach (var frame in source.ReadAsync(default))
        {
            using (frame)
            {
                actual.Add(frame.Image.AsSpan<byte>().ToArray());
            }
        }

        Assert.Equal(24, actual.Count);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].AsSpan().SequenceEqual(actual[i]), $"frame {i}: the BGR bytes differ");
        }
    }

    private static List<byte[]> ReadFrames(string video)
    {
        var frames = new List<byte[]>();
        using var capture = new OpenCvSharp.VideoCapture(video, OpenCvSharp.VideoCaptureAPIs.FFMPEG);
        using var image = new OpenCvSharp.Mat();
        while (capture.Read(image) && !image.Empty())
        {
            frames.Add(image.AsSpan<byte>().ToArray());
        }

        return frames;
    }

    private static async Task<List<IReadOnlyList<Detection>>> SequentialLoopAsync(string path)
    {
        var options = new BlazeFaceOptions { ModelPath = VideoAssets.BlazeFaceModel(back: false) };
        var expected = new List<IReadOnlyList<Detection>>();
        var detector = new BlazeFaceDetector(options);
        await detector.OpenAsync(null!, default);
        var tracker = new IouTracker();
        using (var capture = new OpenCvSharp.VideoCapture(path, OpenCvSharp.VideoCaptureAPIs.FFMPEG))
        using (var image = new OpenCvSharp.Mat())
        {
            for (int i = 0; capture.Read(image) && !image.Empty(); i++)
            {
                var frame = new Frame(i, TimeSpan.Zero, image, path);
                var found = (await detector.ProcessAsync([FrameTensors.Letterbox(frame, options.InputFormat)], default))[0];
                expected.Add(tracker.Update(found.Detections));
            }
        }

        await detector.CloseAsync(default);
        return expected;
    }
}
