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
}
