using Flow.Neural.Internal.Pipeline;

namespace Flow.Neural.Tests.Training;

public class PipelineParallelTrainerTests
{
    [Theory]
    [InlineData(2, 1, true)]
    [InlineData(2, 4, true)]
    [InlineData(3, 5, true)]
    [InlineData(3, 5, false)]
    public void Forward_Split_EqualsUnsplitModel(int stages, int microBatches, bool flowPipeline)
    {
        Sequential reference = Models.SmallCnn();
        var pipeline = new PipelineParallelTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.1f)), stages, microBatches);
        pipeline.Scheduler = flowPipeline ? new FlowPipelineScheduler() : new GPipeChannelScheduler();
        Tensor x = TestData.Random(1, 13, 1, 8, 8);

        float[] expected = reference.Forward(x).Data;
        float[] actual = pipeline.Forward(x).Data;

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(2, 4, true, true)]
    [InlineData(4, 3, true, true)]
    [InlineData(2, 4, false, true)]
    [InlineData(4, 3, false, true)]
    [InlineData(2, 4, true, false)]
    [InlineData(3, 5, false, false)]
    public void TrainStep_Split_GradientsAndParametersEqualUnsplitWithin1e5(int stages, int microBatches, bool flowPipeline, bool deferWeightGradients)
    {
        var reference = new SingleWorkerTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.05f)));
        var pipeline = new PipelineParallelTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.05f)), stages, microBatches)
        {
            DeferWeightGradients = deferWeightGradients,
        };
        pipeline.Scheduler = flowPipeline ? new FlowPipelineScheduler() : new GPipeChannelScheduler();

        for (int step = 0; step < 5; step++)
        {
            Tensor x = TestData.Random(10 + step, 14, 1, 8, 8);
            Tensor y = TestData.OneHot(20 + step, 14, 4);
            float expectedLoss = reference.TrainStep(x, y);

            float actualLoss = pipeline.TrainStep(x, y);

            Assert.Equal(expectedLoss, actualLoss, 1e-5f);
            for (int p = 0; p < reference.Model.Parameters.Count; p++)
            {
                AssertClose(reference.Model.Parameters[p].Gradient.Data, pipeline.Model.Parameters[p].Gradient.Data, $"step {step} gradient {p}");
                AssertClose(reference.Model.Parameters[p].Value.Data, pipeline.Model.Parameters[p].Value.Data, $"step {step} parameter {p}");
            }
        }

        Assert.Equal(stages, pipeline.LastStatistics!.StageBusy.Count);
        Assert.Equal((stages - 1.0) / (microBatches + stages - 1.0), pipeline.LastStatistics.TheoreticalBubbleFraction, 1e-12);
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, null)]
    [InlineData(true, 0.5f)]
    public void TrainStep_AdamWithDecayingRate_ParametersEqualUnsplitWithin1e5(bool flowPipeline, float? maxGradientNorm)
    {
        // The stages take the optimizer step themselves, each for its own parameters
        // (Adam's bias correction and the schedule need the same step count in every part); with clipping,
        // which needs every gradient's norm, the trainer keeps the whole-model step.
        Optimizer referenceOptimizer = Optimizers.Adam(LearningRateSchedule.StepDecay(0.01f, 0.5f, 2));
        referenceOptimizer.MaxGradientNorm = maxGradientNorm;
        var reference = new SingleWorkerTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), referenceOptimizer);
        Optimizer optimizer = Optimizers.Adam(LearningRateSchedule.StepDecay(0.01f, 0.5f, 2));
        optimizer.MaxGradientNorm = maxGradientNorm;
        var pipeline = new PipelineParallelTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), optimizer, 2, 3);
        pipeline.Scheduler = flowPipeline ? new FlowPipelineScheduler() : new GPipeChannelScheduler();

        for (int step = 0; step < 6; step++)
        {
            Tensor x = TestData.Random(30 + step, 12, 1, 8, 8);
            Tensor y = TestData.OneHot(40 + step, 12, 4);
            float expectedLoss = reference.TrainStep(x, y);

            float actualLoss = pipeline.TrainStep(x, y);

            Assert.Equal(expectedLoss, actualLoss, 1e-5f);
            for (int p = 0; p < reference.Model.Parameters.Count; p++)
            {
                AssertClose(reference.Model.Parameters[p].Value.Data, pipeline.Model.Parameters[p].Value.Data, $"step {step} parameter {p}");
            }
        }

        Assert.Equal(6, optimizer.StepCount);
    }

    [Fact]
    public void Constructor_StageStarts_SplitsAtGivenLayers()
    {
        var pipeline = new PipelineParallelTrainer(Models.SmallMlp(), Losses.MeanSquaredError(), Optimizers.Adam(LearningRateSchedule.Constant(0.01f)), 3, 2, [2, 4]);

        Assert.Equal([(0, 2), (2, 4), (4, 5)], pipeline.StageLayers);
    }

    [Fact]
    public void Constructor_DefaultSplit_BalancesParameterCost()
    {
        var model = new Sequential(
            Layers.Dense(64, 64, seed: 1), Layers.Relu(), Layers.Relu(), Layers.Relu(),
            Layers.Dense(64, 64, seed: 2), Layers.Dense(64, 64, seed: 3), Layers.Dense(64, 64, seed: 4));

        var pipeline = new PipelineParallelTrainer(model, Losses.MeanSquaredError(), Optimizers.Sgd(LearningRateSchedule.Constant(0.1f)), 4, 2);

        // Four equally expensive Dense layers over four stages: one each, wherever the free ReLUs go.
        Assert.All(pipeline.StageLayers, range => Assert.Equal(1, model.Layers.Take(range.End).Skip(range.Start).Count(l => l.Parameters.Count > 0)));
        Assert.Equal(7, pipeline.StageLayers[^1].End);
    }

    [Fact]
    public void TrainStep_LayerFailsInsideStage_ThrowsTheLayersException()
    {
        var pipeline = new PipelineParallelTrainer(Models.SmallMlp(), Losses.MeanSquaredError(), Optimizers.Sgd(LearningRateSchedule.Constant(0.1f)), 2, 2);

        // 11 features instead of 12: the first Dense layer rejects the input inside stage 0.
        var ex = Assert.Throws<ArgumentException>(() => pipeline.TrainStep(new Tensor(4, 11), new Tensor(4, 3)));

        Assert.Contains("Dense(12→32)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BalanceByCompute_FashionCnn_PutsTheSecondConvolutionAlone()
    {
        Sequential cnn = Neural.Data.FashionMnist.CreateCnn();

        IReadOnlyList<int> starts = PipelineParallelTrainer.BalanceByCompute(cnn, [1, 28, 28], 2);

        // conv2 (16→32 on 14×14) is ~70 % of the multiply-adds: the split falls right after it,
        // not after the convolutions' tiny parameter count as the default estimate would put it.
        Assert.Equal([4], starts);
    }

    [Fact]
    public void Constructor_StagesMoreThanLayers_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineParallelTrainer(new Sequential(Layers.Relu()), Losses.MeanSquaredError(), Optimizers.Sgd(LearningRateSchedule.Constant(1f)), 2, 2));
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * Math.Max(1f, Math.Abs(expected[i])), $"{what}[{i}]: unsplit {expected[i]} pipeline {actual[i]}");
        }
    }
}
