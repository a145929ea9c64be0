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

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void UpdateRange_SlicesInAnyOrder_BitIdenticalToStep(string name)
    {
        // The data-parallel trainer updates each worker's slice of a parameter separately; the slices'
        // boundaries must not change any element's arithmetic (vector body or scalar tail).
        Optimizer Create() => name == "sgd" ? Optimizers.Sgd(LearningRateSchedule.Constant(0.1f)) : Optimizers.Adam(LearningRateSchedule.Constant(0.01f));
        Sequential whole = Models.SmallMlp();
        Sequential sliced = Models.SmallMlp();
        Optimizer wholeOptimizer = Create();
        Optimizer slicedOptimizer = Create();
        for (int step = 0; step < 3; step++)
        {
            for (int p = 0; p < whole.Parameters.Count; p++)
            {
                TestData.Random(10 + step + (7 * p), whole.Parameters[p].Gradient.Length).Data.CopyTo(whole.Parameters[p].Gradient.Data, 0);
                whole.Parameters[p].Gradient.Data.CopyTo(sliced.Parameters[p].Gradient.Data, 0);
            }

            wholeOptimizer.Step(whole.Parameters);
            float rate = slicedOptimizer.BeginStep(sliced.Parameters);
            for (int p = sliced.Parameters.Count - 1; p >= 0; p--)
            {
                int length = sliced.Parameters[p].Value.Length;
                int cut = Math.Min(length, (length / 2) + 3);
                slicedOptimizer.UpdateRange(p, sliced.Parameters[p], cut, length - cut, rate, 1f);
                slicedOptimizer.UpdateRange(p, sliced.Parameters[p], 0, cut, rate, 1f);
            }

            slicedOptimizer.EndStep(sliced.Parameters);
        }

        Assert.Equal(wholeOptimizer.StepCount, slicedOptimizer.StepCount);
        for (int p = 0; p < whole.Parameters.Count; p++)
        {
            Assert.Equal(whole.Parameters[p].Value.Data, sliced.Parameters[p].Value.Data);
        }
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
    public void Step_ClippingWithNaNGradient_ThrowsAndLeavesWeights()
    {
        Sequential model = new(Layers.Dense(2, 1));
        Optimizer optimizer = Optimizers.Sgd(LearningRateSchedule.Constant(1f), momentum: 0f);
        optimizer.MaxGradientNorm = 1f;
        float before = model.Parameters[0].Value.Data[0];
        model.Parameters[0].Gradient.Data[0] = float.NaN;

        var error = Assert.Throws<InvalidOperationException>(() => optimizer.Step(model.Parameters));

        Assert.Contains("non-finite gradients", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.Parameters[0].Value.Data[0]);
        Assert.Equal(0, optimizer.StepCount);
    }

    [Fact]
    public void Step_Adam_MatchesTheFormulaOnEveryElement()
    {
        // 37 weights: the vectorised loop and its scalar tail both run.
        Sequential model = new(Layers.Dense(37, 1, seed: 3));
        Parameter weight = model.Parameters[0];
        float[] w0 = weight.Value.Data.ToArray();
        float[] g = TestData.Random(5, 37).Data;
        Optimizer adam = Optimizers.Adam(LearningRateSchedule.Constant(0.01f), beta1: 0.9f, beta2: 0.99f, epsilon: 1e-8f);
        g.CopyTo(weight.Gradient.Data, 0);

        adam.Step(model.Parameters);
        adam.Step(model.Parameters);

        for (int i = 0; i < 37; i++)
        {
            double m = 0, v = 0, w = w0[i];
            for (int t = 1; t <= 2; t++)
            {
                m = (0.9 * m) + (0.1 * g[i]);
                v = (0.99 * v) + (0.01 * g[i] * g[i]);
                w -= 0.01 * (m / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v / (1 - Math.Pow(0.99, t))) + 1e-8);
            }

            Assert.Equal(w, weight.Value.Data[i], 1e-5);
        }
    }

    [Fact]
    public void RateAt_Schedules_FollowTheirFormulas()
    {
        Assert.Equal(0.25f, LearningRateSchedule.StepDecay(1f, 0.5f, 10).RateAt(25), 1e-6f);
        Assert.Equal(0.5f, LearningRateSchedule.Cosine(1f, 100).RateAt(50), 1e-6f);
        Assert.Equal(0f, LearningRateSchedule.Cosine(1f, 100).RateAt(500), 1e-6f);
    }
}
