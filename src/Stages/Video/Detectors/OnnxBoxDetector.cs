using Flow.Stages.Inference;

namespace Flow.Stages.Video;

/// <summary>
/// Runs a user-supplied ONNX detector through the same batched inference stage as BlazeFace.
/// </summary>
/// <remarks>
/// <para>What the model must look like:</para>
/// <list type="bullet">
/// <item>one float input, <c>[N,3,H,W]</c> (NCHW) or <c>[N,H,W,3]</c> (NHWC), N dynamic or 1, H and W fixed;
/// fed RGB, letterboxed, pixel values scaled to [0, 1];</item>
/// <item>a first output <c>[N,K,C]</c> or <c>[K,C]</c> with C ≥ 5: per box <c>x1, y1, x2, y2, score</c> and
/// optionally a class index, coordinates in input pixels (or in [0, 1], detected when every coordinate
/// is at most 1.5), already past NMS or not (hard NMS at IoU 0.45 is applied).</item>
/// </list>
/// <para>A model that does not match fails when the stage opens, with an <see cref="OnnxModelException"/>
/// naming the file, the shapes found and the shapes expected.</para>
/// </remarks>
public sealed class OnnxBoxDetector : TensorFrameDetector
{
    private readonly float _scoreThreshold;

    /// <summary>Creates the detector; the model is loaded when the stage opens.</summary>
    /// <param name="modelPath">The <c>.onnx</c> file.</param>
    /// <param name="scoreThreshold">The least score for a box to be kept; 0.5 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scoreThreshold"/> is outside [0, 1].</exception>
    public OnnxBoxDetector(string modelPath, float scoreThreshold = 0.5f)
        : base(new OnnxModelOptions { ModelPath = modelPath ?? throw new ArgumentNullException(nameof(modelPath)) })
    {
        if (!(scoreThreshold >= 0 && scoreThreshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(scoreThreshold), scoreThreshold, "the score threshold must be in [0, 1]");
        }

        _scoreThreshold = scoreThreshold;
    }

    /// <summary>
    /// Reads a model's input and returns the tensor format the preprocessing stage must produce for it,
    /// checking the expectations listed on this type.
    /// </summary>
    /// <param name="modelPath">The <c>.onnx</c> file.</param>
    /// <returns>The input format (RGB, [0, 1]).</returns>
    /// <exception cref="OnnxModelException">The file is missing, not loadable, or its input or output does not match.</exception>
    public static TensorFormat Probe(string modelPath)
    {
        using var session = OnnxSessions.Create(new OnnxModelOptions { ModelPath = modelPath });
        var inputs = OnnxSessions.Describe(session.InputMetadata);
        var outputs = OnnxSessions.Describe(session.OutputMetadata);
        if (inputs.Count != 1 || inputs[0].ElementType != typeof(float))
        {
            throw new OnnxModelException(modelPath, $"model '{modelPath}' has inputs {string.Join(", ", inputs.Select(i => $"'{i.Name}' {i.FormatShape()}"))}; a detector needs one float image input [N,3,H,W] or [N,H,W,3]");
        }

        var format = FormatOf(modelPath, inputs[0]);
        CheckOutputs(modelPath, outputs);
        return format;
    }

    /// <inheritdoc />
    protected override void ValidateModel(OnnxTensorInfo input, IReadOnlyList<OnnxTensorInfo> outputs)
    {
        FormatOf(ModelPath, input);
        CheckOutputs(ModelPath, outputs);
    }

    /// <inheritdoc />
    protected override DetectionFrame ReadOutput(TensorFrame item, IReadOnlyList<ReadOnlyMemory<float>> outputs)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(outputs);
        var dims = Outputs[0].Dimensions;
        int columns = dims[^1];
        var values = outputs[0].Span;
        int rows = values.Length / columns;
        bool normalised = true;
        for (int r = 0; r < rows && normalised; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                normalised &= MathF.Abs(values[r * columns + c]) <= 1.5f;
            }
        }

        float sx = normalised ? item.Transform.TargetWidth : 1, sy = normalised ? item.Transform.TargetHeight : 1;
        var candidates = new List<Detection>();
        for (int r = 0; r < rows; r++)
        {
            var row = values.Slice(r * columns, columns);
            if (!(row[4] >= _scoreThreshold))
            {
                continue;
            }

            string label = columns > 5 ? $"class{(int)row[5]}" : "object";
            candidates.Add(new Detection(new BoundingBox(row[0] * sx, row[1] * sy, row[2] * sx, row[3] * sy), row[4], label));
        }

        var kept = NonMaxSuppression.Hard(candidates, 0.45f);
        var mapped = kept.Select(d => d with { Box = item.Transform.ToSource(d.Box) }).Where(d => d.Box.Area > 0).ToArray();
        return new DetectionFrame(item.Frame, mapped);
    }

    private static TensorFormat FormatOf(string modelPath, OnnxTensorInfo input)
    {
        var d = input.Dimensions;
        if (d.Count == 4 && d[1] == 3 && d[2] > 0 && d[3] > 0)
        {
            return new TensorFormat(d[3], d[2], TensorLayout.Nchw, Rgb: true, Scale: 1f / 255f, Offset: 0f);
        }

        if (d.Count == 4 && d[3] == 3 && d[1] > 0 && d[2] > 0)
        {
            return new TensorFormat(d[2], d[1], TensorLayout.Nhwc, Rgb: true, Scale: 1f / 255f, Offset: 0f);
        }

        throw new OnnxModelException(modelPath, $"model '{modelPath}' input '{input.Name}' has shape {input.FormatShape()}; a detector needs an image input [N,3,H,W] or [N,H,W,3] with fixed H and W");
    }

    private static void CheckOutputs(string modelPath, IReadOnlyList<OnnxTensorInfo> outputs)
    {
        if (outputs.Count == 0 || outputs[0].ElementType != typeof(float) || outputs[0].Dimensions.Count is < 2 or > 3 || outputs[0].Dimensions[^1] < 5)
        {
            string found = outputs.Count == 0 ? "none" : string.Join(", ", outputs.Select(o => $"'{o.Name}' {o.FormatShape()}"));
            throw new OnnxModelException(modelPath, $"model '{modelPath}' outputs {found}; a detector's first output must be float [N,K,5+] or [K,5+] (x1,y1,x2,y2,score[,class])");
        }
    }
}
