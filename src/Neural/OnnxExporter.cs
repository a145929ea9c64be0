using System.Runtime.InteropServices;
using Flow.Neural.Internal.Layers;
using Flow.Neural.Internal.Onnx;

namespace Flow.Neural;

/// <summary>
/// Exports a trained <see cref="Sequential"/> to an ONNX model (opset 20) so ONNX Runtime and other
/// runtimes can serve it. Dense → Gemm, Conv2D/Conv1D → Conv, MaxPool2D → MaxPool, Flatten → Flatten,
/// ReLU/sigmoid/tanh/GELU → their ONNX operators, Dropout → Identity. The batch dimension is symbolic (<c>N</c>).
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ONNX operator set the export targets.</summary>
    public const int OpsetVersion = 20;

    private const long IrVersion = 9;
    private const int FloatType = 1;

    /// <summary>Writes the model to an ONNX file.</summary>
    /// <param name="model">The model.</param>
    /// <param name="inputShape">The shape of one example, without the batch dimension (e.g. [1, 28, 28]).</param>
    /// <param name="path">The destination file.</param>
    public static void Export(Sequential model, IReadOnlyList<int> inputShape, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, ToBytes(model, inputShape));
    }

    /// <summary>Serialises the model as ONNX (the bytes of a ModelProto).</summary>
    /// <param name="model">The model.</param>
    /// <param name="inputShape">The shape of one example, without the batch dimension.</param>
    /// <returns>The ONNX model bytes.</returns>
    /// <exception cref="ArgumentException">The input shape does not fit the model.</exception>
    public static byte[] ToBytes(Sequential model, IReadOnlyList<int> inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);

        // Run one example through the model to learn every layer's output shape.
        Tensor probe = model.Forward(new Tensor([1, .. inputShape]));
        int[] outputShape = [.. probe.Shape.Skip(1)];

        var nodes = new List<Action<ProtoWriter>>();
        var initializers = new List<Action<ProtoWriter>>();
        string current = "input";
        for (int i = 0; i < model.Layers.Count; i++)
        {
            Layer layer = model.Layers[i];
            string output = i == model.Layers.Count - 1 ? "output" : $"t{i}";
            string name = $"layer{i}_{layer.Kind}";
            switch (layer)
            {
                case DenseLayer dense:
                    initializers.Add(Initializer($"{name}_W", [dense.Inputs, dense.Outputs], dense.Weight.Value.Data));
                    initializers.Add(Initializer($"{name}_B", [dense.Outputs], dense.Bias.Value.Data));
                    nodes.Add(Node("Gemm", name, [current, $"{name}_W", $"{name}_B"], output));
                    break;
                case Conv2DLayer conv:
                    initializers.Add(Initializer($"{name}_W", [conv.OutChannels, conv.InChannels, conv.KernelH, conv.KernelW], conv.Weight.Value.Data));
                    initializers.Add(Initializer($"{name}_B", [conv.OutChannels], conv.Bias.Value.Data));
                    nodes.Add(Node(
                        "Conv", name, [current, $"{name}_W", $"{name}_B"], output,
                        Ints("kernel_shape", conv.KernelH, conv.KernelW),
                        Ints("strides", conv.StrideH, conv.StrideW),
                        Ints("pads", conv.PadH, conv.PadW, conv.PadH, conv.PadW)));
                    break;
                case Conv1DLayer conv1:
                    Conv2DLayer c = conv1.Inner;
                    initializers.Add(Initializer($"{name}_W", [c.OutChannels, c.InChannels, c.KernelW], c.Weight.Value.Data));
                    initializers.Add(Initializer($"{name}_B", [c.OutChannels], c.Bias.Value.Data));
                    nodes.Add(Node(
                        "Conv", name, [current, $"{name}_W", $"{name}_B"], output,
                        Ints("kernel_shape", c.KernelW),
                        Ints("strides", c.StrideW),
                        Ints("pads", c.PadW, c.PadW)));
                    break;
                case MaxPool2DLayer pool:
                    nodes.Add(Node("MaxPool", name, [current], output, Ints("kernel_shape", pool.KernelSize, pool.KernelSize), Ints("strides", pool.Stride, pool.Stride)));
                    break;
                case FlattenLayer:
                    nodes.Add(Node("Flatten", name, [current], output, Int("axis", 1)));
                    break;
                case DropoutLayer:
                    nodes.Add(Node("Identity", name, [current], output));
                    break;
                case ActivationLayer activation:
                    nodes.Add(activation.Kind switch
                    {
                        LayerKind.Relu => Node("Relu", name, [current], output),
                        LayerKind.Sigmoid => Node("Sigmoid", name, [current], output),
                        LayerKind.Tanh => Node("Tanh", name, [current], output),
                        _ => Node("Gelu", name, [current], output, Str("approximate", "tanh")),
                    });
                    break;
                default:
                    throw new NotSupportedException($"layer {layer.Description} has no ONNX mapping");
            }

            current = output;
        }

        using var writer = new ProtoWriter();
        writer
            .Int64(1, IrVersion)
            .String(2, "Flow.Neural")
            .String(3, typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "1.0")
            .Message(7, graph =>
            {
                foreach (Action<ProtoWriter> node in nodes)
                {
                    graph.Message(1, node);
                }

                graph.String(2, "flow_neural_sequential");
                foreach (Action<ProtoWriter> init in initializers)
                {
                    graph.Message(5, init);
                }

                graph.Message(11, ValueInfo("input", inputShape));
                graph.Message(12, ValueInfo("output", outputShape));
            })
            .Message(8, opset => opset.String(1, string.Empty).Int64(2, OpsetVersion));
        return writer.ToArray();
    }

    private static Action<ProtoWriter> Node(string opType, string name, string[] inputs, string output, params Action<ProtoWriter>[] attributes) => w =>
    {
        foreach (string input in inputs)
        {
            w.String(1, input);
        }

        w.String(2, output).String(3, name).String(4, opType);
        foreach (Action<ProtoWriter> attribute in attributes)
        {
            w.Message(5, attribute);
        }
    };

    // AttributeProto: name = 1, i = 3, s = 4, ints = 8, type = 20 (INT = 2, STRING = 3, INTS = 7).
    private static Action<ProtoWriter> Ints(string name, params int[] values) => w =>
    {
        w.String(1, name);
        foreach (int v in values)
        {
            w.Int64(8, v);
        }

        w.Int32(20, 7);
    };

    private static Action<ProtoWriter> Int(string name, int value) => w => w.String(1, name).Int64(3, value).Int32(20, 2);

    private static Action<ProtoWriter> Str(string name, string value) => w => w.String(1, name).Bytes(4, System.Text.Encoding.UTF8.GetBytes(value)).Int32(20, 3);

    // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian floats).
    private static Action<ProtoWriter> Initializer(string name, int[] dims, float[] data) => w =>
    {
        foreach (int d in dims)
        {
            w.Int64(1, d);
        }

        w.Int32(2, FloatType).String(8, name).Bytes(9, MemoryMarshal.AsBytes(data.AsSpan()));
    };

    // ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 { dim_value = 1 | dim_param = 2 } } } } }.
    private static Action<ProtoWriter> ValueInfo(string name, IReadOnlyList<int> exampleShape) => w => w
        .String(1, name)
        .Message(2, type => type.Message(1, tensor => tensor
            .Int32(1, FloatType)
            .Message(2, shape =>
            {
                shape.Message(1, dim => dim.String(2, "N"));
                foreach (int d in exampleShape)
                {
                    shape.Message(1, dim => dim.Int64(1, d));
                }
            })));
}
