using Flow.Neural.Internal.Layers;

namespace Flow.Neural.Tests.Internal.Layers;

/// <summary>Finite-difference checks of every layer's backward pass (input and parameter gradients).</summary>
public class GradientCheckTests
{
    public static TheoryData<string> LayerNames => new()
    {
        "dense", "conv2d", "conv2d-stride-pad", "conv1d", "maxpool", "flatten", "dropout", "relu", "sigmoid", "tanh", "gelu",
    };

    [Theory]
    [MemberData(nameof(LayerNames))]
    public void Backward_Layer_MatchesFiniteDifferences(string name)
    {
        (Layer layer, int[] shape) = name switch
        {
            "dense" => (Neural.Layers.Dense(7, 5, seed: 1), new[] { 3, 7 }),
            "conv2d" => (Neural.Layers.Conv2D(2, 3, 3, seed: 2), new[] { 2, 2, 6, 5 }),
            "conv2d-stride-pad" => (Neural.Layers.Conv2D(2, 4, 3, stride: 2, padding: 1, seed: 3), new[] { 2, 2, 7, 6 }),
            "conv1d" => (Neural.Layers.Conv1D(3, 2, 3, stride: 1, padding: 1, seed: 4), new[] { 2, 3, 9 }),
            "maxpool" => (Neural.Layers.MaxPool2D(2), new[] { 2, 3, 6, 4 }),
            "flatten" => (Neural.Layers.Flatten(), new[] { 2, 3, 4 }),
            "dropout" => (Neural.Layers.Dropout(0.4f, seed: 5), new[] { 4, 6 }),
            "relu" => (Neural.Layers.Relu(), new[] { 4, 6 }),
            "sigmoid" => (Neural.Layers.Sigmoid(), new[] { 4, 6 }),
            "tanh" => (Neural.Layers.Tanh(), new[] { 4, 6 }),
            _ => (Neural.Layers.Gelu(), new[] { 4, 6 }),
        };
        if (layer is DropoutLayer dropout)
        {
            dropout.FreezeMask = true;
        }

        var model = new Sequential(layer);
        Tensor x = TestData.Random(11, shape);
        Tensor y = model.Forward(x, training: true);
        Tensor r = TestData.Random(12, [.. y.Shape]);

        // f(x) = Σ r ⊙ layer(x): its gradient is backward(r).
        model.ZeroGradients();
        Tensor dx = model.Backward(r).Clone();

        double F()
        {
            Tensor out1 = model.Forward(x, training: true);
            double s = 0;
            for (int i = 0; i < out1.Length; i++)
            {
                s += out1.Data[i] * (double)r.Data[i];
            }

            return s;
        }

        CheckAll(x.Data, dx.Data, F, name + " input");
        foreach (Parameter p in model.Parameters)
        {
            CheckAll(p.Value.Data, p.Gradient.Data, F, $"{name} {p.Name}");
        }
    }

    internal static void CheckAll(float[] values, float[] analytic, Func<double> f, string what)
    {
        const float eps = 1e-2f;
        int step = Math.Max(1, values.Length / 40);
        for (int i = 0; i < values.Length; i += step)
        {
            float saved = values[i];
            values[i] = saved + eps;
            double plus = f();
            values[i] = saved - eps;
            double minus = f();
            values[i] = saved;
            double numeric = (plus - minus) / (2 * eps);
            Assert.True(
                Math.Abs(numeric - analytic[i]) <= 2e-2 * Math.Max(1.0, Math.Abs(numeric)),
                $"{what}[{i}]: analytic {analytic[i]} numeric {numeric}");
        }
    }
}
