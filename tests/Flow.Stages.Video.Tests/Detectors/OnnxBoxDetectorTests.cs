using Flow.Neural;
using Flow.Pipeline;
using Flow.Stages.Inference;
using OpenCvSharp;

using static Flow.Stages.Video.Tests.DetectorHarness;

namespace Flow.Stages.Video.Tests;

public class OnnxBoxDetectorTests
{
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
}
