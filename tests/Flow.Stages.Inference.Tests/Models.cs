using Flow.Neural;

namespace Flow.Stages.Inference.Tests;

/// <summary>Small ONNX models exported by Flow.Neural (batch dimension symbolic).</summary>
internal static class Models
{
    /// <summary>A dense layer 4 → 3 with fixed random weights; returns the model file and the model to compare against.</summary>
    public static (string Path, Sequential Model) Dense4To3()
    {
        var model = new Sequential(Layers.Dense(4, 3, seed: 7));
        string folder = Path.Combine(Path.GetTempPath(), "flow-inference-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "dense.onnx");
        OnnxExporter.Export(model, [4], path);
        return (path, model);
    }
}

/// <summary>Runs the dense model: an item is 4 floats, the result its 3 outputs.</summary>
internal sealed class DenseStage(string modelPath) : OnnxBatchStage<float[], float[]>(new OnnxModelOptions { ModelPath = modelPath })
{
    public int Opened { get; private set; }

    /// <summary>Items given back through <see cref="ReleaseInput"/>, in order.</summary>
    public List<float[]> Released { get; } = [];

    /// <summary>An item for which <see cref="WriteInput"/> throws.</summary>
    public float[]? FailOn { get; set; }

    protected override void ReleaseInput(float[] item) => Released.Add(item);

    protected override void ValidateModel(OnnxTensorInfo input, IReadOnlyList<OnnxTensorInfo> outputs)
    {
        Opened++;
        if (input.Dimensions.Count != 2 || input.Dimensions[1] != 4)
        {
            throw new OnnxModelException(ModelPath, $"model '{ModelPath}' input has shape {input.FormatShape()}; needs [N,4]");
        }
    }

    protected override void WriteInput(float[] item, Span<float> destination)
    {
        if (ReferenceEquals(item, FailOn))
        {
            throw new InvalidOperationException("bad item");
        }

        item.CopyTo(destination);
    }

    protected override float[] ReadOutput(float[] item, IReadOnlyList<ReadOnlyMemory<float>> outputs) => outputs[0].ToArray();
}

/// <summary>Demands an image input, so the dense model is rejected.</summary>
internal sealed class ImageStage(string modelPath) : OnnxBatchStage<float[], float[]>(new OnnxModelOptions { ModelPath = modelPath })
{
    protected override void ValidateModel(OnnxTensorInfo input, IReadOnlyList<OnnxTensorInfo> outputs)
    {
        if (input.Dimensions.Count != 4)
        {
            throw new OnnxModelException(ModelPath, $"model '{ModelPath}' input '{input.Name}' has shape {input.FormatShape()}; this stage needs [N,3,H,W]");
        }
    }

    protected override void WriteInput(float[] item, Span<float> destination) => item.CopyTo(destination);

    protected override float[] ReadOutput(float[] item, IReadOnlyList<ReadOnlyMemory<float>> outputs) => outputs[0].ToArray();
}
