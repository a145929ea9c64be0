using Flow.Neural;
using Flow.Pipeline;
using Flow.Stages.Inference;
using OpenCvSharp;

using static Flow.Stages.Video.Tests.DetectorHarness;

namespace Flow.Stages.Video.Tests;

public class BlazeFaceDetectorTests
{
    [Theory]
    [InlineData(BlazeFaceVariant.Front128, "face_detection_front_128x128_barracuda.onnx")]
    [InlineData(BlazeFaceVariant.Back256, "face_detection_back_256x256_barracuda.onnx")]
    public async Task BlazeFace_Portrait_FindsOneFaceOnTheAnnotatedBox(BlazeFaceVariant variant, string file)
    {
        var options = new BlazeFaceOptions { Variant = variant, ModelPath = TestFiles.Asset(file) };
        var results = await RunAsync<BlazeFaceDetector>(
            [Grace()],
            frames => frames.Then(f => FrameTensors.Letterbox(f, options.InputFormat)).Batch(1).Then(() => new BlazeFaceDetector(options)).Unbatch());
        var face = Assert.Single(Assert.Single(results).Detections);
        Assert.True(face.Box.IntersectionOverUnion(GraceFace) > 0.8, $"IoU {face.Box.IntersectionOverUnion(GraceFace)} with the annotated face, box {face.Box}");
        Assert.True(face.Score > 0.8f);
    }

    [Fact]
    public async Task BlazeFace_BatchOfFramesOnFixedBatchModel_RunsOneSessionCallPerFrameInOrder()
    {
        var options = new BlazeFaceOptions { ModelPath = TestFiles.Asset("face_detection_front_128x128_barracuda.onnx") };
        var detector = new BlazeFaceDetector(options);
        await detector.OpenAsync(null!, default);
        try
        {
            Assert.False(detector.SupportsBatching);
            var batch = Enumerable.Range(0, 3).Select(i => FrameTensors.Letterbox(Grace(i), options.InputFormat)).ToArray();
            var results = await detector.ProcessAsync(batch, default);
            Assert.Equal(3, detector.SessionRuns);
            Assert.Equal([0L, 1L, 2L], results.Select(r => r.Frame.Index));
            Assert.All(results, r => Assert.Single(r.Detections));
        }
        finally
        {
            await detector.CloseAsync(default);
        }
    }

    [Fact]
    public async Task BlazeFace_MissingModelFile_FailsToOpenNamingTheFile()
    {
        var options = new BlazeFaceOptions { ModelPath = "/models/missing_face.onnx" };
        var ex = await Assert.ThrowsAsync<StageFailedException>(() => RunAsync<BlazeFaceDetector>(
            [],
            frames => frames.Then(f => FrameTensors.Letterbox(f, options.InputFormat)).Batch(1).Then(() => new BlazeFaceDetector(options), new StageOptions { Name = "detect" }).Unbatch()));
        Assert.Equal("detect", ex.StageName);
        Assert.Equal(StagePhase.Open, ex.Phase);
        var inner = Assert.IsType<OnnxModelException>(ex.InnerException);
        Assert.StartsWith("model file '/models/missing_face.onnx' not found", inner.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlazeFace_WrongModel_FailsSayingWhichShapeItNeeds()
    {
        string model = Path.Combine(TestFiles.NewFolder(), "mlp.onnx");
        OnnxExporter.Export(new Sequential(Layers.Dense(8, 2)), [8], model);
        var detector = new BlazeFaceDetector(new BlazeFaceOptions { ModelPath = model });
        var ex = await Assert.ThrowsAsync<OnnxModelException>(async () => await detector.OpenAsync(null!, default));
        Assert.Equal($"model '{model}' input 'input' has shape [N,8]; BlazeFace Front128 needs [1,128,128,3] (NHWC RGB)", ex.Message);
    }
}
