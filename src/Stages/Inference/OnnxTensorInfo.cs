namespace Flow.Stages.Inference;

/// <summary>One input or output of an ONNX model, as the model file declares it.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="Dimensions">The declared shape; -1 marks a dynamic (symbolic) dimension.</param>
/// <param name="ElementType">The element type, e.g. <see cref="float"/>.</param>
public sealed record OnnxTensorInfo(string Name, IReadOnlyList<int> Dimensions, Type ElementType)
{
    /// <summary>The shape as text, e.g. <c>[N,128,128,3]</c> (N for a dynamic dimension).</summary>
    /// <returns>The shape.</returns>
    public string FormatShape() => "[" + string.Join(",", Dimensions.Select(d => d < 0 ? "N" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";
}
