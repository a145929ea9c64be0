namespace Flow.Neural.Tests.Internal.Layers;

public class Conv2DLayerTests
{
    [Theory]
    [InlineData(1, 2)]
    [InlineData(1, 3)]
    [InlineData(2, 3)]
    [InlineData(3, 2)]
    [InlineData(5, 4)]
    [InlineData(16, 2)]
    public void Forward_NeuronParallelTiles_BitIdenticalToOneCore(int batch, int cores)
    {
        // Odd sizes: 7×9 input, stride 2, so tiles of output rows end on ragged GEMM panels.
        Sequential one = new(Neural.Layers.Conv2D(3, 5, 3, stride: 2, padding: 1, seed: 7));
        Sequential many = one.Clone();
        many.Options = new ComputeOptions { DegreeOfParallelism = cores };
        Tensor x = TestData.Random(batch, batch, 3, 7, 9);

        float[] inference1 = one.Forward(x).Data.ToArray();
        float[] inferenceN = many.Forward(x).Data.ToArray();
        float[] training1 = one.Forward(x, training: true).Data.ToArray();
        float[] trainingN = many.Forward(x, training: true).Data.ToArray();

        Assert.Equal(inference1, inferenceN);
        Assert.Equal(training1, trainingN);
        Assert.Equal(inference1, training1);
    }

    [Fact]
    public void Backward_AfterInferenceForward_EqualsAfterTrainingForward()
    {
        // An inference pass keeps no im2col columns; backward must unfold them itself.
        Sequential afterInference = new(Neural.Layers.Conv2D(2, 4, 3, padding: 1, seed: 3), Neural.Layers.Flatten(), Neural.Layers.Dense(4 * 6 * 5, 3, seed: 4));
        Sequential afterTraining = afterInference.Clone();
        Tensor x = TestData.Random(5, 3, 2, 6, 5);
        Tensor g = TestData.Random(6, 3, 3);

        InferenceChecks.AssertBackwardAfterInferenceEqualsAfterTraining(afterInference, afterTraining, x, g);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 2)]
    [InlineData(5, 4)]
    public void Forward_DirectInference_BitIdenticalAcrossCoresAndCloseToScalar(int batch, int cores)
    {
        // Stride 1 inference takes the direct convolution; 11 output channels leave a partial block of 8,
        // and a 9×7 input gives rows that are not whole vectors. ReLU follows, so it is fused.
        AssertInferenceBitIdenticalAcrossCoresAndCloseToScalar(3, 11, batch, cores, "direct");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 2)]
    [InlineData(5, 4)]
    public void Forward_WinogradInference_BitIdenticalAcrossCoresAndCloseToScalar(int batch, int cores)
    {
        // 3×3 stride 1 with at least 8 channels takes the Winograd path in inference: 12 input and 20
        // output channels leave partial channel blocks, and a 9×7 input leaves a half tile on each edge.
        AssertInferenceBitIdenticalAcrossCoresAndCloseToScalar(12, 20, batch, cores, "Winograd");
    }

    [Fact]
    public void Forward_WinogradAfterWeightsWrittenDirectly_UsesNewWeights()
    {
        // The transformed weights are kept between passes; a write to Parameter.Value (no optimizer, no
        // version bump) must still reach the next pass.
        Sequential model = new(Neural.Layers.Conv2D(8, 8, 3, padding: 1, seed: 2));
        Tensor x = TestData.Random(3, 2, 8, 5, 6);
        model.Forward(x);

        model.Parameters[0].Value.Data[7] += 0.5f;
        float[] after = model.Forward(x).Data.ToArray();
        float[] fresh = model.Clone().Forward(x).Data.ToArray();

        Assert.Equal(fresh, after);
    }

    [Fact]
    public void Backward_AfterWinogradInferenceForward_EqualsAfterTrainingForward()
    {
        // The Winograd pass rounds differently from training: backward recomputes the activations first,
        // so every gradient is the same bits as after a training forward.
        Sequential afterInference = new(
            Neural.Layers.Conv2D(8, 9, 3, padding: 1, seed: 3),
            Neural.Layers.Relu(),
            Neural.Layers.MaxPool2D(2),
            Neural.Layers.Conv2D(9, 8, 3, padding: 1, seed: 4),
            Neural.Layers.Relu(),
            Neural.Layers.Flatten(),
            Neural.Layers.Dense(8 * 3 * 2, 3, seed: 5));
        Sequential afterTraining = afterInference.Clone();
        Tensor x = TestData.Random(5, 3, 8, 6, 5);
        Tensor g = TestData.Random(6, 3, 3);

        InferenceChecks.AssertBackwardAfterInferenceEqualsAfterTraining(afterInference, afterTraining, x, g);
    }

    public static TheoryData<int, int, int, int, int, int, int> PooledGeometries => new()
    {
        // input channels, height, width, output channels, kernel, padding, batch — the first rows take the
        // direct fused kernel (fewer than 8 channels), the last ones the Winograd one.
        { 1, 28, 28, 16, 3, 1, 2 },
        { 1, 9, 7, 5, 3, 1, 3 },
        { 3, 11, 40, 9, 5, 2, 1 },
        { 2, 6, 5, 3, 1, 0, 2 },
        { 4, 8, 9, 7, 3, 0, 1 },
        { 16, 14, 14, 32, 3, 1, 3 },
        { 9, 9, 7, 20, 3, 1, 2 },
        { 8, 7, 10, 8, 3, 2, 1 },
    };

    [Theory]
    [MemberData(nameof(PooledGeometries))]
    public void Forward_FusedConvReluPoolInference_CloseToScalarAndBitIdenticalAcrossCores(int channels, int height, int width, int outChannels, int kernel, int padding, int batch)
    {
        Sequential one = new(Neural.Layers.Conv2D(channels, outChannels, kernel, padding: padding, seed: 9), Neural.Layers.Relu(), Neural.Layers.MaxPool2D(2));
        RandomizeBiases(one, seed: 10);
        Sequential many = one.Clone();
        many.Options = new ComputeOptions { DegreeOfParallelism = 3 };
        Sequential scalar = one.Clone();
        scalar.Options = new ComputeOptions { UseSimd = false };
        Tensor x = TestData.Random(11, batch, channels, height, width);

        float[] fused = one.Forward(x).Data.ToArray();
        float[] fusedN = many.Forward(x).Data.ToArray();
        float[] reference = scalar.Forward(x).Data.ToArray();
        float[] training = one.Forward(x, training: true).Data.ToArray();

        Assert.Equal(fused, fusedN);
        Assert.Equal(reference.Length, fused.Length);
        bool winograd = Flow.Neural.Internal.Kernels.WinogradConvolution.Supports(new Flow.Neural.Internal.Kernels.ConvGeometry(channels, height, width, kernel, kernel, 1, 1, padding, padding), outChannels);
        if (!winograd)
        {
            // The direct fused kernel sums the taps in the training pass's order, then adds the bias.
            Assert.Equal(training, fused);
        }

        for (int i = 0; i < reference.Length; i++)
        {
            Assert.True(Math.Abs(fused[i] - reference[i]) <= 1e-5f * Math.Max(1f, Math.Abs(reference[i])), $"y[{i}]: fused {fused[i]} scalar {reference[i]}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void Backward_AfterFusedConvReluPoolInference_EqualsAfterTrainingForward(int channels)
    {
        // The fused pass writes only the pooled output (1 channel: direct kernel; 8: Winograd); backward
        // recomputes the convolution, ReLU and pool activations first.
        Sequential afterInference = new(
            Neural.Layers.Conv2D(channels, 9, 3, padding: 1, seed: 3),
            Neural.Layers.Relu(),
            Neural.Layers.MaxPool2D(2),
            Neural.Layers.Conv2D(9, 8, 3, padding: 1, seed: 4),
            Neural.Layers.Relu(),
            Neural.Layers.MaxPool2D(2),
            Neural.Layers.Flatten(),
            Neural.Layers.Dense(8 * 2 * 1, 3, seed: 5));
        Sequential afterTraining = afterInference.Clone();
        Tensor x = TestData.Random(5, 3, channels, 9, 6);
        Tensor g = TestData.Random(6, 3, 3);

        InferenceChecks.AssertBackwardAfterInferenceEqualsAfterTraining(afterInference, afterTraining, x, g);
    }

    private static void RandomizeBiases(Sequential model, int seed)
    {
        var random = new Random(seed);
        foreach (Parameter p in model.Parameters.Where(p => p.Name == "bias"))
        {
            for (int i = 0; i < p.Value.Length; i++)
            {
                p.Value.Data[i] = (float)((random.NextDouble() * 2) - 1);
            }
        }
    }

    /// <summary>A 3×3, padding-1 convolution + ReLU on a 9×7 input: inference on 1 and on <paramref name="cores"/>
    /// cores is bit-identical, and inference and training are within 1e-5 relative of the scalar path.</summary>
    private static void AssertInferenceBitIdenticalAcrossCoresAndCloseToScalar(int inChannels, int outChannels, int batch, int cores, string path)
    {
        Sequential one = new(Neural.Layers.Conv2D(inChannels, outChannels, 3, padding: 1, seed: 5), Neural.Layers.Relu());
        Sequential many = one.Clone();
        many.Options = new ComputeOptions { DegreeOfParallelism = cores };
        Sequential scalar = one.Clone();
        scalar.Options = new ComputeOptions { UseSimd = false };
        Tensor x = TestData.Random(batch, batch, inChannels, 9, 7);

        float[] inference1 = one.Forward(x).Data.ToArray();
        float[] inferenceN = many.Forward(x).Data.ToArray();
        float[] reference = scalar.Forward(x).Data.ToArray();
        float[] training = one.Forward(x, training: true).Data.ToArray();

        Assert.Equal(inference1, inferenceN);
        for (int i = 0; i < reference.Length; i++)
        {
            Assert.True(Math.Abs(inference1[i] - reference[i]) <= 1e-5f * Math.Max(1f, Math.Abs(reference[i])), $"y[{i}]: {path} {inference1[i]} scalar {reference[i]}");
            Assert.True(Math.Abs(training[i] - reference[i]) <= 1e-5f * Math.Max(1f, Math.Abs(reference[i])), $"y[{i}]: training {training[i]} scalar {reference[i]}");
        }
    }
}
