using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Flow.Neural.Tests;

public class OnnxExporterTests
{
    public static TheoryData<string> ModelNames => new() { "cnn", "mlp", "conv1d", "fashion-cnn" };

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void ToBytes_OnnxRuntimeOutput_EqualsOursWithin1e4(string name)
    {
        (Sequential model, int[] exampleShape) = name switch
        {
            "cnn" => (Models.SmallCnn(seed: 5), new[] { 1, 8, 8 }),
            "mlp" => (Models.SmallMlp(seed: 5), new[] { 12 }),
            "conv1d" => (new Sequential(
                Layers.Conv1D(2, 4, 3, stride: 2, padding: 1, seed: 1),
                Layers.Gelu(),
                Layers.Dropout(0.5f),
                Layers.Flatten(),
                Layers.Dense(4 * 5, 3, seed: 2),
                Layers.Sigmoid()), new[] { 2, 10 }),
            _ => (Neural.Data.FashionMnist.CreateCnn(seed: 3), new[] { 1, 28, 28 }),
        };
        Tensor x = TestData.Random(9, [5, .. exampleShape]);
        float[] ours = model.Forward(x).Data.ToArray();

        using var session = new InferenceSession(OnnxExporter.ToBytes(model, exampleShape));
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run(
            [NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(x.Data, [5, .. exampleShape]))]);
        float[] theirs = [.. results[0].AsEnumerable<float>()];

        Assert.Equal(ours.Length, theirs.Length);
        for (int i = 0; i < ours.Length; i++)
        {
            Assert.True(Math.Abs(ours[i] - theirs[i]) <= 1e-4f * Math.Max(1f, Math.Abs(ours[i])), $"{name} output {i}: ours {ours[i]} ORT {theirs[i]}");
        }
    }
}
