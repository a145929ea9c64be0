namespace Flow.Neural.Tests.Training;

public class OptimizerTests
{
    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void Step_TrainingSmallMlp_LossDecreases(string name)
    {
        Sequential model = Models.SmallMlp();
        Optimizer optimizer = name == "sgd"
            ? Optimizers.Sgd(LearningRateSchedule.Constant(0.1f))
            : Optimizers.Adam(LearningRateSchedule.Constant(0.01f));
        Loss loss = Losses.SoftmaxCrossEntropy();
        Tensor x = TestData.Random(1, 32, 12);
        Tensor y = TestData.OneHot(2, 32, 3);
        var gradient = new Tensor(32, 3);

        float first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            model.ZeroGradients();
            last = loss.Compute(model.Forward(x, training: true), y, gradient);
            first = step == 0 ? last : first;
            model.Backward(gradient);
            optimizer.Step(model.Parameters);
        }

        Assert.True(last < 0.5f * first, $"loss {first} → {last}");
    }

    [Fact]
    public void Step_MaxGradientNorm_ClipsUpdate()
    {
        Sequential model = new(Layers.Dense(2, 1));
        Optimizer optimizer = Optimizers.Sgd(LearningRateSchedule.Constant(1f), momentum: 0f);
        optimizer.MaxGradientNorm = 1f;
        float before = model.Parameters[0].Value.Data[0];
        model.Parameters[0].Gradient.Data[0] = 30f;
        model.Parameters[0].Gradient.Data[1] = 40f;

        optimizer.Step(model.Parameters);

        Assert.Equal(before - 0.6f, model.Parameters[0].Value.Data[0], 1e-6f);
    }

    [Fact]
    public void RateAt_Schedules_FollowTheirFormulas()
    {
        Assert.Equal(0.25f, LearningRateSchedule.StepDecay(1f, 0.5f, 10).RateAt(25), 1e-6f);
        Assert.Equal(0.5f, LearningRateSchedule.Cosine(1f, 100).RateAt(50), 1e-6f);
        Assert.Equal(0f, LearningRateSchedule.Cosine(1f, 100).RateAt(500), 1e-6f);
    }
}
