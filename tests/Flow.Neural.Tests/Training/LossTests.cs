using Flow.Neural.Tests.Internal.Layers;

namespace Flow.Neural.Tests.Training;

public class LossTests
{
    public static TheoryData<string> LossNames => new() { "softmax-ce", "bce", "mse" };

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Compute_Loss_GradientMatchesFiniteDifferences(string name)
    {
        Loss loss = name switch
        {
            "softmax-ce" => Losses.SoftmaxCrossEntropy(),
            "bce" => Losses.BinaryCrossEntropy(),
            _ => Losses.MeanSquaredError(),
        };
        Tensor prediction = TestData.Random(21, 4, 5);
        Tensor target = name == "softmax-ce" ? TestData.OneHot(22, 4, 5) : TestData.Random(22, 4, 5);
        if (name == "bce")
        {
            for (int i = 0; i < prediction.Length; i++)
            {
                prediction.Data[i] = 0.5f + (0.35f * prediction.Data[i]);
                target.Data[i] = target.Data[i] > 0 ? 1f : 0f;
            }
        }

        var gradient = new Tensor(4, 5);
        loss.Compute(prediction, target, gradient);
        var scratch = new Tensor(4, 5);

        GradientCheckTests.CheckAll(prediction.Data, gradient.Data, () => loss.Compute(prediction, target, scratch), name);
    }

    [Fact]
    public void Compute_SoftmaxCrossEntropyUniformLogits_IsLogOfClassCount()
    {
        var prediction = new Tensor(2, 10);
        Tensor target = TestData.OneHot(1, 2, 10);

        float value = Losses.SoftmaxCrossEntropy().Compute(prediction, target, new Tensor(2, 10));

        Assert.Equal(MathF.Log(10f), value, 1e-5f);
    }

    [Fact]
    public void Compute_SoftmaxCrossEntropyHugeLogits_FiniteLossAndGradient()
    {
        // exp(1000) overflows float: the softmax must subtract the row maximum first.
        var prediction = new Tensor(1, 3);
        prediction.Data[0] = 1000f;
        prediction.Data[1] = 990f;
        var target = new Tensor(1, 3);
        target.Data[1] = 1f;
        var gradient = new Tensor(1, 3);

        float value = Losses.SoftmaxCrossEntropy().Compute(prediction, target, gradient);

        Assert.Equal(10f, value, 1e-3f);
        Assert.All(gradient.Data, g => Assert.True(float.IsFinite(g)));
        Assert.Equal(1f, gradient.Data[0], 1e-3f);
        Assert.Equal(-1f, gradient.Data[1], 1e-3f);
    }

    [Fact]
    public void Compute_MismatchedShapes_Throws()
    {
        Assert.Throws<ArgumentException>(() => Losses.MeanSquaredError().Compute(new Tensor(2, 3), new Tensor(2, 4), new Tensor(2, 3)));
    }
}
