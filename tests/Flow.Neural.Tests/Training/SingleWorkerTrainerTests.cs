namespace Flow.Neural.Tests.Training;

public class SingleWorkerTrainerTests
{
    [Fact]
    public void TrainStep_SkipsInputGradient_ParameterGradientsEqualFullBackward()
    {
        // Flatten first: the trainer visits no layer below the first Dense and skips its input gradient.
        Sequential Build() => new(Layers.Flatten(), Layers.Dense(16, 8, seed: 1), Layers.Relu(), Layers.Dense(8, 3, seed: 2));
        Sequential reference = Build();
        var trainer = new SingleWorkerTrainer(Build(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.1f)));
        Tensor x = TestData.Random(1, 5, 1, 4, 4);
        Tensor y = TestData.OneHot(2, 5, 3);
        var gradient = new Tensor(5, 3);

        reference.ZeroGradients();
        Losses.SoftmaxCrossEntropy().Compute(reference.Forward(x, training: true), y, gradient);
        reference.Backward(gradient);
        trainer.TrainStep(x, y);

        for (int p = 0; p < reference.Parameters.Count; p++)
        {
            Assert.Equal(reference.Parameters[p].Gradient.Data, trainer.Model.Parameters[p].Gradient.Data);
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    public void TrainStep_InChunks10Steps_LossGradientsAndParametersEqualWholeBatchWithin1e5(int chunkRows)
    {
        // Batch 16 in chunks of 3 (5 chunks of 3 and 4 rows) or 8 rows: conv gradients added chunk by chunk, the
        // dense layers' weight gradients in one GEMM over the whole batch after the last chunk.
        var whole = new SingleWorkerTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.05f), momentum: 0.9f)) { ChunkRows = 0 };
        var chunked = new SingleWorkerTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.05f), momentum: 0.9f)) { ChunkRows = chunkRows };

        for (int step = 0; step < 10; step++)
        {
            Tensor x = TestData.Random(100 + step, 16, 1, 8, 8);
            Tensor y = TestData.OneHot(200 + step, 16, 4);
            float expectedLoss = whole.TrainStep(x, y);
            float actualLoss = chunked.TrainStep(x, y);

            Assert.Equal(1, whole.LastChunks);
            Assert.Equal(16 / chunkRows, chunked.LastChunks);
            Assert.True(Math.Abs(expectedLoss - actualLoss) <= 1e-5f, $"step {step}: loss whole {expectedLoss} chunked {actualLoss}");
            AssertWithin1e5(whole.Model, chunked.Model, step);
        }
    }

    [Fact]
    public void TrainStep_ChunkRule_FashionCnnInPowerOfTwoChunks_MlpSmallBatchesAndNeuronParallelWhole()
    {
        // The Fashion CNN holds 179,816 bytes of activations per example: 11 rows fit 2 MiB, and 11 rows' activations
        // exceed its 827,688 bytes of parameters; a batch of 64 is ⌊64 / 11⌋ = 5 chunks, rounded up to 8 (of 8 rows).
        // The MLP's 9,384 bytes per example give 223 rows, more than the batch.
        Tensor x64 = TestData.Random(1, 64, 1, 28, 28);
        Tensor x16 = TestData.Random(2, 16, 1, 28, 28);
        var cnn = new SingleWorkerTrainer(Flow.Neural.Data.FashionMnist.CreateCnn(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.01f)));
        var mlp = new SingleWorkerTrainer(Flow.Neural.Data.FashionMnist.CreateMlp(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.01f)));

        cnn.TrainStep(x64, TestData.OneHot(3, 64, 10));
        Assert.Equal(8, cnn.LastChunks);
        Assert.Equal(11, Flow.Neural.Internal.Training.ChunkRunner.RowsPerChunk(cnn.Model, [1, 28, 28]));
        cnn.TrainStep(x16, TestData.OneHot(4, 16, 10));
        Assert.Equal(1, cnn.LastChunks);
        mlp.TrainStep(x64, TestData.OneHot(5, 64, 10));
        Assert.Equal(1, mlp.LastChunks);
        cnn.Model.Options = new ComputeOptions { DegreeOfParallelism = 2 };
        cnn.TrainStep(x64, TestData.OneHot(3, 64, 10));
        Assert.Equal(1, cnn.LastChunks);
        Assert.Equal(223, Flow.Neural.Internal.Training.ChunkRunner.RowsPerChunk(mlp.Model, [1, 28, 28]));
    }

    private static void AssertWithin1e5(Sequential expected, Sequential actual, int step)
    {
        for (int p = 0; p < expected.Parameters.Count; p++)
        {
            float[] eg = expected.Parameters[p].Gradient.Data, ag = actual.Parameters[p].Gradient.Data;
            float[] ev = expected.Parameters[p].Value.Data, av = actual.Parameters[p].Value.Data;
            for (int i = 0; i < ev.Length; i++)
            {
                Assert.True(Math.Abs(eg[i] - ag[i]) <= 1e-5f, $"step {step}, gradient {p}[{i}]: whole {eg[i]} chunked {ag[i]}");
                Assert.True(Math.Abs(ev[i] - av[i]) <= 1e-5f, $"step {step}, parameter {p}[{i}]: whole {ev[i]} chunked {av[i]}");
            }
        }
    }
}
