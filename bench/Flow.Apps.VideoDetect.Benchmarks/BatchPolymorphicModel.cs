using Google.Protobuf;
using Onnx;

/// <summary>
/// Makes an in-memory copy of an ONNX model whose batch dimension is fixed to 1 run with any batch size, for the
/// `batching` measurement (session 8, docs/VIDEO.md). The bundled BlazeFace files (a TensorFlow export) fix the batch in
/// three places: the input/output shapes, the constant shapes of their Reshape nodes (1,512,16 …), and the channel
/// zero-padding, built as ConstantOfShape([1,C,H,W]) → Concat(axis 1). The copy gets a symbolic batch "N", −1 as the
/// Reshapes' leading dimension, and a Pad node (constant, on the channel axis) in place of each padding pair. Any operator
/// outside a list of per-sample operators, or a pattern other than these, gives <see langword="null"/> and a reason.
/// </summary>
internal static class BatchPolymorphicModel
{
    // Operators that treat each sample of the batch on its own (Transpose only when it keeps axis 0 first).
    private static readonly HashSet<string> PerSample =
        ["Conv", "Relu", "Add", "Mul", "Sub", "Div", "MaxPool", "AveragePool", "Transpose", "Sigmoid", "Clip", "PRelu", "LeakyRelu", "BatchNormalization", "Identity"];

    private const int Int64Type = 7;
    private const int FloatType = 1;

    public static byte[]? Rewrite(byte[] model, out string report)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        var graph = proto.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var producers = graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        var uses = graph.Node.SelectMany(n => n.Input).GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        var removed = new HashSet<NodeProto>();
        var replaced = new Dictionary<NodeProto, NodeProto>();
        int pads = 0, reshapes = 0;
        foreach (var node in graph.Node)
        {
            if (PerSample.Contains(node.OpType))
            {
                if (node.OpType == "Transpose" && node.Attribute.FirstOrDefault(a => a.Name == "perm") is { } perm && perm.Ints[0] != 0)
                {
                    report = $"Transpose '{node.Name}' moves the batch axis";
                    return null;
                }

                continue;
            }

            switch (node.OpType)
            {
                case "ConstantOfShape":
                    continue; // replaced with the Concat that consumes it (any other use fails below)
                case "Concat":
                {
                    long axis = node.Attribute.First(a => a.Name == "axis").I;
                    int constant = node.Input.Count != 2 ? -1
                        : Enumerable.Range(0, 2).FirstOrDefault(k => producers.TryGetValue(node.Input[k], out var p) && p.OpType == "ConstantOfShape", -1);
                    if (constant < 0 || axis == 0)
                    {
                        report = $"Concat '{node.Name}' is not a zero-padding of a non-batch axis";
                        return null;
                    }

                    var fill = producers[node.Input[constant]];
                    long[] shape = initializers.TryGetValue(fill.Input[0], out var shapeTensor) ? Int64s(shapeTensor) : [];
                    if (uses[fill.Output[0]] != 1 || shape.Length == 0 || shape[0] != 1)
                    {
                        report = $"ConstantOfShape '{fill.Name}' is shared or has no constant shape with batch 1";
                        return null;
                    }

                    float value = 0;
                    if (fill.Attribute.FirstOrDefault(a => a.Name == "value") is { } v)
                    {
                        if (v.T.DataType != FloatType)
                        {
                            report = $"ConstantOfShape '{fill.Name}' does not fill floats";
                            return null;
                        }

                        value = v.T.FloatData.Count > 0 ? v.T.FloatData[0] : BitConverter.ToSingle(v.T.RawData.Span);
                    }

                    int rank = shape.Length;
                    int padded = (int)(axis < 0 ? axis + rank : axis);
                    var amounts = new long[2 * rank];
                    amounts[(constant == 1 ? rank : 0) + padded] = shape[padded]; // after the data when the constant is second
                    pads++;
                    string name = $"batchpolymorphic_pad{pads}";
                    var amountsTensor = new TensorProto { Name = name + "_amounts", DataType = Int64Type };
                    amountsTensor.Dims.Add(2 * rank);
                    amountsTensor.Int64Data.AddRange(amounts);
                    var valueTensor = new TensorProto { Name = name + "_value", DataType = FloatType };
                    valueTensor.FloatData.Add(value);
                    graph.Initializer.Add(amountsTensor);
                    graph.Initializer.Add(valueTensor);
                    var pad = new NodeProto { Name = name, OpType = "Pad" };
                    pad.Input.Add(node.Input[1 - constant]);
                    pad.Input.Add(amountsTensor.Name);
                    pad.Input.Add(valueTensor.Name);
                    pad.Output.Add(node.Output[0]);
                    pad.Attribute.Add(new AttributeProto { Name = "mode", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("constant") });
                    replaced[node] = pad;
                    removed.Add(fill);
                    break;
                }

                case "Reshape":
                {
                    long[] shape = initializers.TryGetValue(node.Input[1], out var shapeTensor) ? Int64s(shapeTensor) : [];
                    if (shape.Length == 0 || shape[0] != 1 || shape.Skip(1).Any(d => d <= 0))
                    {
                        report = $"Reshape '{node.Name}' has no constant shape that starts with the batch 1";
                        return null;
                    }

                    shape[0] = -1;
                    reshapes++;
                    var batchShape = new TensorProto { Name = $"batchpolymorphic_reshape{reshapes}_shape", DataType = Int64Type };
                    batchShape.Dims.Add(shape.Length);
                    batchShape.Int64Data.AddRange(shape);
                    graph.Initializer.Add(batchShape);
                    node.Input[1] = batchShape.Name;
                    break;
                }

                default:
                    report = $"operator {node.OpType} ('{node.Name}') is not known to treat samples independently";
                    return null;
            }
        }

        var nodes = graph.Node.Where(n => !removed.Contains(n)).Select(n => replaced.GetValueOrDefault(n, n)).ToList();
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        graph.ValueInfo.Clear(); // intermediate shapes recorded with batch 1; ONNX Runtime infers them again
        foreach (var value in graph.Input.Concat(graph.Output))
        {
            var batch = value.Type.TensorType.Shape.Dim[0];
            batch.ClearDimValue();
            batch.DimParam = "N";
        }

        var used = graph.Node.SelectMany(n => n.Input).ToHashSet();
        var kept = graph.Initializer.Where(t => used.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(kept);
        report = $"{pads} ConstantOfShape+Concat pairs → Pad, {reshapes} Reshapes with batch −1, batch dimension 'N'";
        return proto.ToByteArray();
    }

    private static long[] Int64s(TensorProto tensor) => tensor.DataType != Int64Type ? []
        : tensor.Int64Data.Count > 0 ? [.. tensor.Int64Data]
        : [.. Enumerable.Range(0, tensor.RawData.Length / 8).Select(k => BitConverter.ToInt64(tensor.RawData.Span.Slice(k * 8, 8)))];
}
