using Flow.Stages.Video;

namespace Flow.Apps.VideoDetect.Tests;

public class VideoDetectOptionsTests
{
    [Theory]
    [InlineData("blazeface-front", DetectorKind.BlazeFaceFront)]
    [InlineData("BlazeFace-Back", DetectorKind.BlazeFaceBack)]
    [InlineData("hog", DetectorKind.Hog)]
    [InlineData("haar", DetectorKind.Haar)]
    public void SetDetector_KnownName_SetsTheKind(string name, DetectorKind expected)
    {
        var options = new VideoDetectOptions();
        options.SetDetector(name);
        Assert.Equal(expected, options.Detector);
    }

    [Fact]
    public void SetDetector_OnnxWithPath_SetsKindAndKeepsThePathsCase()
    {
        var options = new VideoDetectOptions();
        options.SetDetector("onnx:/Models/YoloFace.onnx");
        Assert.Equal(DetectorKind.Onnx, options.Detector);
        Assert.Equal("/Models/YoloFace.onnx", options.ModelPath);
    }

    [Fact]
    public void SetDetector_UnknownName_ListsTheValidOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new VideoDetectOptions().SetDetector("yolo"));
        Assert.StartsWith("unknown detector 'yolo' (use blazeface-front, blazeface-back, hog, haar or onnx:<path>)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new VideoDetectOptions();
        Assert.Equal(2, options.DegreeOfParallelism);
        Assert.Equal(1, options.BatchSize);
        Assert.Equal(DetectorKind.BlazeFaceFront, options.Detector);
        Assert.Equal(0.5f, options.ScoreThreshold);
        Assert.Null(options.MaxFrames);
        Assert.Null(options.DecoderThreads);
        Assert.Equal(VideoDecoder.Auto, options.Decoder);
    }

    [Theory]
    [InlineData(VideoDecoder.Auto, DetectorKind.BlazeFaceFront, VideoDecoder.Auto)] // tensors: FFmpeg's decoder when the file passes its checks
    [InlineData(VideoDecoder.Auto, DetectorKind.Onnx, VideoDecoder.Auto)]
    [InlineData(VideoDecoder.Auto, DetectorKind.Hog, VideoDecoder.OpenCv)]          // every frame needed in BGR
    [InlineData(VideoDecoder.Auto, DetectorKind.Haar, VideoDecoder.OpenCv)]
    [InlineData(VideoDecoder.FFmpeg, DetectorKind.Hog, VideoDecoder.FFmpeg)]        // an explicit choice wins
    [InlineData(VideoDecoder.OpenCv, DetectorKind.BlazeFaceBack, VideoDecoder.OpenCv)]
    public void SourceOptions_Decoder_ResolvedForTheDetector(VideoDecoder set, DetectorKind detector, VideoDecoder expected)
    {
        var options = new VideoDetectOptions { Detector = detector, Decoder = set };
        Assert.Equal(expected, options.SourceOptions(decoderThreads: 1).Decoder);
        Assert.Equal(set, options.Decoder);
    }

    [Theory]
    [InlineData(null, 2)]    // the replicas' cores are not given to FFmpeg
    [InlineData(null, 64)]   // never below 1
    [InlineData(3, 2)]       // an explicit value wins
    public void DecoderThreads_DefaultLeavesTheReplicasTheirCores(int? set, int dop)
    {
        int threads = VideoDetectJob.DecoderThreads(new VideoDetectOptions { DecoderThreads = set, DegreeOfParallelism = dop });
        Assert.Equal(set ?? Math.Max(1, Environment.ProcessorCount - dop), threads);
        Assert.InRange(threads, 1, Math.Max(set ?? 1, Environment.ProcessorCount));
    }

    [Fact]
    public void Setters_InvalidValues_ThrowNamingTheProperty()
    {
        Assert.Equal("DegreeOfParallelism", Assert.Throws<ArgumentOutOfRangeException>(() => new VideoDetectOptions { DegreeOfParallelism = 0 }).ParamName);
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new VideoDetectOptions { BatchSize = -1 }).ParamName);
        Assert.Equal("MaxFrames", Assert.Throws<ArgumentOutOfRangeException>(() => new VideoDetectOptions { MaxFrames = 0 }).ParamName);
        Assert.Equal("ScoreThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => new VideoDetectOptions { ScoreThreshold = 1.5f }).ParamName);
        Assert.Equal("DecoderThreads", Assert.Throws<ArgumentOutOfRangeException>(() => new VideoDetectOptions { DecoderThreads = 0 }).ParamName);
    }

    [Fact]
    public void Clone_SourceSettings_AreCopiedNotShared()
    {
        var options = new VideoDetectOptions { MaxFrames = 5, DecoderThreads = 3 };
        var copy = options.Clone();
        options.MaxFrames = 7;
        options.DecoderThreads = 1;
        Assert.Equal(5, copy.MaxFrames);
        Assert.Equal(3, copy.DecoderThreads);
    }

    [Theory]
    [InlineData(null, 4)] // unset: the job's choice
    [InlineData(2, 2)]    // set: wins over the job's choice
    public void SourceOptions_CarryMaxFramesAndDecoderThreads(int? set, int expected)
    {
        var options = new VideoDetectOptions { MaxFrames = 9, DecoderThreads = set };
        var source = options.SourceOptions(decoderThreads: 4);
        Assert.Equal(9, source.MaxFrames);
        Assert.Equal(expected, source.DecoderThreads);
        Assert.Equal(set, options.DecoderThreads);
    }
}
