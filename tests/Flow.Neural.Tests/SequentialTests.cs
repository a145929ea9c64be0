namespace Flow.Neural.Tests;

public class SequentialTests
{
    [Fact]
    public void Forward_SameSeeds_SameOutputs()
    {
        Tensor x = TestData.Random(1, 5, 1, 8, 8);

        float[] a = Models.SmallCnn(seed: 3).Forward(x).Data;
        float[] b = Models.SmallCnn(seed: 3).Forward(x).Data;
        float[] c = Models.SmallCnn(seed: 4).Forward(x).Data;

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void ForwardBackward_NeuronParallelCnn_BitIdenticalToOneCore()
    {
        Sequential one = Models.SmallCnn();
        Sequential two = Models.SmallCnn();
        two.Options = new ComputeOptions { DegreeOfParallelism = 2 };
        Tensor x = TestData.Random(2, 64, 1, 8, 8);
        Tensor g = TestData.Random(3, 64, 4);

        float[] y1 = one.Forward(x, training: true).Data.ToArray();
        float[] y2 = two.Forward(x, training: true).Data.ToArray();
        float[] dx1 = one.Backward(g).Data.ToArray();
        float[] dx2 = two.Backward(g).Data.ToArray();

        Assert.Equal(y1, y2);
        Assert.Equal(dx1, dx2);
        for (int p = 0; p < one.Parameters.Count; p++)
        {
            Assert.Equal(one.Parameters[p].Gradient.Data, two.Parameters[p].Gradient.Data);
        }
    }

    [Fact]
    public void Forward_ScalarReference_MatchesSimdWithin1e4()
    {
        Sequential simd = Models.SmallCnn();
        Sequential scalar = Models.SmallCnn();
        scalar.Options = new ComputeOptions { UseSimd = false };
        Tensor x = TestData.Random(4, 9, 1, 8, 8);

        float[] a = simd.Forward(x).Data;
        float[] b = scalar.Forward(x).Data;

        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(b[i], a[i], 1e-4f);
        }
    }

    [Fact]
    public void Clone_CopiesParametersIndependently()
    {
        Sequential model = Models.SmallMlp();
        Sequential copy = model.Clone();

        copy.Parameters[0].Value.Data[0] += 1f;

        Assert.NotEqual(model.Parameters[0].Value.Data[0], copy.Parameters[0].Value.Data[0]);
        Assert.Equal(model.Parameters[1].Value.Data, copy.Parameters[1].Value.Data);
    }

    [Fact]
    public void Forward_WrongInputShape_ThrowsNamingLayer()
    {
        Sequential model = Models.SmallMlp();

        var ex = Assert.Throws<ArgumentException>(() => model.Forward(new Tensor(2, 11)));

        Assert.Contains("Dense(12→32)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Forward_Inference_EqualsTrainingForward(int cores)
    {
        // Inference fuses Conv2D + ReLU and pools without arg-max. The models are fresh (zero biases),
        // so the two paths agree bit for bit; with trained biases the order of the bias addition differs
        // and Conv2DLayerTests compares within a tolerance instead.
        Sequential inference = Models.SmallCnn();
        Sequential training = Models.SmallCnn();
        inference.Options = new ComputeOptions { DegreeOfParallelism = cores };
        training.Options = new ComputeOptions { DegreeOfParallelism = cores };
        Tensor x = TestData.Random(5, 7, 1, 8, 8);

        float[] a = inference.Forward(x).Data.ToArray();
        float[] b = training.Forward(x, training: true).Data.ToArray();

        Assert.Equal(b, a);
    }

    [Fact]
    public void Backward_AfterInferenceForward_EqualsAfterTrainingForward()
    {
        // Backward after an inference pass rebuilds what that pass skipped (im2col columns, pool arg-max).
        Sequential inference = Models.SmallCnn();
        Sequential training = Models.SmallCnn();
        Tensor x = TestData.Random(6, 5, 1, 8, 8);
        Tensor g = TestData.Random(7, 5, 4);

        InferenceChecks.AssertBackwardAfterInferenceEqualsAfterTraining(inference, training, x, g);
    }
}
