using Flow.Neural.Data;

namespace Flow.Neural.Tests.Data;

/// <summary>Uses the real Fashion-MNIST files from the Debian package that scripts/setup.sh installs.</summary>
public class FashionMnistTests
{
    private static bool Installed => File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "train-images-idx3-ubyte.gz"));

    [Fact]
    public void Test_DebianPackage_Has10000ImagesOf28x28()
    {
        Assert.True(Installed, "Debian package dataset-fashion-mnist is not installed: run scripts/setup.sh");

        LabeledImageSource test = FashionMnist.Test();

        Assert.Equal(10_000, test.Count);
        Assert.Equal(28, test.Height);
        Assert.Equal(28, test.Width);
    }

    [Fact]
    public async Task TrainEpochAsync_MlpOn3000Examples_LossFallsAndAccuracyFarAboveChance()
    {
        Assert.True(Installed, "Debian package dataset-fashion-mnist is not installed: run scripts/setup.sh");
        Sequential model = FashionMnist.CreateMlp(seed: 7);
        var trainer = new SingleWorkerTrainer(model, Losses.SoftmaxCrossEntropy(), Optimizers.Adam(LearningRateSchedule.Constant(2e-3f)));
        LabeledImageSource train = FashionMnist.Train();
        LabeledImageSource test = FashionMnist.Test();

        (float lossBefore, _) = await TrainingLoop.EvaluateAsync(model, Losses.SoftmaxCrossEntropy(), test.ReadBatchesAsync(500, limit: 1000));
        await TrainingLoop.TrainEpochAsync(trainer, train.ReadBatchesAsync(32, shuffleBufferSize: 1000, seed: 1, limit: 3000));
        await TrainingLoop.TrainEpochAsync(trainer, train.ReadBatchesAsync(32, shuffleBufferSize: 1000, seed: 2, limit: 3000));
        (float lossAfter, float accuracy) = await TrainingLoop.EvaluateAsync(model, Losses.SoftmaxCrossEntropy(), test.ReadBatchesAsync(500, limit: 1000));

        Assert.True(lossAfter < 0.5f * lossBefore, $"test loss {lossBefore} → {lossAfter}");
        Assert.True(accuracy > 0.6f, $"accuracy {accuracy} (chance is 0.1)");
    }
}
