namespace Flow.Neural.Tests.Training;

public class DataParallelTrainerTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void TrainStep_KReplicas20Steps_ParametersEqualSingleWorkerWithin1e5(int replicas)
    {
        Sequential single = Models.SmallCnn();
        Optimizer singleOptimizer = Optimizers.Sgd(LearningRateSchedule.Constant(0.05f), momentum: 0.9f);
        Loss loss = Losses.SoftmaxCrossEntropy();
        var trainer = new DataParallelTrainer(Models.SmallCnn(), loss, () => Optimizers.Sgd(LearningRateSchedule.Constant(0.05f), momentum: 0.9f), replicas);
        var gradient = new Tensor(16, 4);

        for (int step = 0; step < 20; step++)
        {
            Tensor x = TestData.Random(100 + step, 16, 1, 8, 8);
            Tensor y = TestData.OneHot(200 + step, 16, 4);

            single.ZeroGradients();
            loss.Compute(single.Forward(x, training: true), y, gradient);
            single.Backward(gradient);
            singleOptimizer.Step(single.Parameters);
            trainer.TrainStep(x, y);
        }

        for (int p = 0; p < single.Parameters.Count; p++)
        {
            float[] expected = single.Parameters[p].Value.Data;
            float[] actual = trainer.Model.Parameters[p].Value.Data;
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f, $"parameter {p}[{i}]: single {expected[i]} data-parallel {actual[i]}");
            }
        }
    }

    [Fact]
    public void TrainStep_BatchSmallerThanReplicas_Throws()
    {
        var trainer = new DataParallelTrainer(Models.SmallMlp(), Losses.MeanSquaredError(), () => Optimizers.Adam(LearningRateSchedule.Constant(0.01f)), 4);

        Assert.Throws<ArgumentException>(() => trainer.TrainStep(new Tensor(3, 12), new Tensor(3, 3)));
    }
}
