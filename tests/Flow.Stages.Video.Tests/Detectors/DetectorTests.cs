using Flow.Neural;
using Flow.Pipeline;
using Flow.Stages.Inference;
using OpenCvSharp;

namespace Flow.Stages.Video.Tests;

/// <summary>The real detectors on a real photo, and their errors.</summary>
public class DetectorTests
{
    /// <summary>Grace Hopper's face in grace_hopper_512x512.jpg, annotated by hand.</summary>
    private static readonly BoundingBox GraceFace = new(172, 126, 365, 318);

    private static async Task<IReadOnlyList<DetectionFrame>> RunAsync<TStage>(IEnumerable<Frame> frames, Func<StageHandle<Frame>, StageHandle<DetectionFrame>> detect)
    {
        var builder = new PipelineBuilder();
        var results = detect(builder.From(frames, "frames")).Collect();
        await builder.Build().RunAsync();
        return results.Items;
    }

    private static Frame Grace(long index = 0) => new(index, TimeSpan.Zero, Cv2.ImRead(TestFiles.Asset("grace_hopper_512x512.jpg")), "grace");

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

    [Fact]
    public void OnnxBoxDetector_ModelWithoutImageInput_ProbeFailsNamingExpectedShapes()
    {
        string model = Path.Combine(TestFiles.NewFolder(), "mlp.onnx");
        OnnxExporter.Export(new Sequential(Layers.Dense(8, 6)), [8], model);
        var ex = Assert.Throws<OnnxModelException>(() => OnnxBoxDetector.Probe(model));
        Assert.Equal($"model '{model}' input 'input' has shape [N,8]; a detector needs an image input [N,3,H,W] or [N,H,W,3] with fixed H and W", ex.Message);
    }

    [Fact]
    public void OnnxBoxDetector_BlazeFaceModel_ProbeFailsOnItsOutputs()
    {
        string model = TestFiles.Asset("face_detection_front_128x128_barracuda.onnx");
        var ex = Assert.Throws<OnnxModelException>(() => OnnxBoxDetector.Probe(model));
        Assert.Contains("a detector's first output must be float [N,K,5+]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnnxBoxDetector_UserModelWithDynamicBatch_RunsBatchesAndMapsBoxesBackThroughTheLetterbox()
    {
        // A "detector" whose single output row is its bias: box (0.1, 0.1)-(0.5, 0.5) normalised, score 0.9.
        var model = new Sequential(Layers.Flatten(), Layers.Dense(3 * 32 * 32, 5));
        foreach (var parameter in model.Parameters)
        {
            Array.Clear(parameter.Value.Data);
        }

        float[] bias = [0.1f, 0.1f, 0.5f, 0.5f, 0.9f];
        bias.CopyTo(model.Parameters.Single(p => p.Value.Length == 5).Value.Data, 0);
        string path = Path.Combine(TestFiles.NewFolder(), "box.onnx");
        OnnxExporter.Export(model, [3, 32, 32], path);

        var format = OnnxBoxDetector.Probe(path);
        Assert.Equal(new TensorFormat(32, 32, TensorLayout.Nchw, true, 1f / 255f, 0f), format);
        var replicas = new List<OnnxBoxDetector>();
        var results = await RunAsync<OnnxBoxDetector>(
            Enumerable.Range(0, 7).Select(i => new Frame(i, TimeSpan.Zero, new Mat(64, 128, MatType.CV_8UC3, Scalar.All(i)), "gen")),
            frames => frames.Then(f => FrameTensors.Letterbox(f, format)).Batch(3).Then(() =>
            {
                var detector = new OnnxBoxDetector(path);
                replicas.Add(detector);
                return detector;
            }).Unbatch());

        Assert.Equal(7, results.Count);
        Assert.True(Assert.Single(replicas).SupportsBatching);
        Assert.Equal(3, replicas[0].SessionRuns); // batches of 3, 3 and 1
        // 128x64 into 32x32: scale 0.25, 8 px of padding above. Model box (3.2, 3.2)-(16, 16) -> source (12.8, 0)-(64, 32).
        var box = Assert.Single(results[6].Detections).Box;
        Assert.Equal(12.8f, box.X1, 3);
        Assert.Equal(0f, box.Y1, 3);
        Assert.Equal(64f, box.X2, 3);
        Assert.Equal(32f, box.Y2, 3);
        Assert.Equal("object", results[6].Detections[0].Label);
    }

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
