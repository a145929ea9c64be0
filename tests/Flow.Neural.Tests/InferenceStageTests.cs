using Flow.Pipeline;

namespace Flow.Neural.Tests;

public class InferenceStageTests
{
    [Fact]
    public async Task Replicas_TwoReplicasWithDynamicBatching_OutputsEqualDirectForwardInOrder()
    {
        Sequential model = Models.SmallCnn(seed: 4);
        float[][] examples = [.. Enumerable.Range(0, 37).Select(i => TestData.Random(100 + i, 64).Data)];
        var builder = new PipelineBuilder();
        CollectedItems<float[]> scores = builder.From(examples, "examples")
            .Batch(maxBatchSize: 8)
            .Then(InferenceStage.Replicas(model, [1, 8, 8]), new StageOptions { Name = "cnn", MaxDegreeOfParallelism = 2 })
            .ThenMany(batch => batch)
            .Collect();

        await builder.Build().RunAsync();

        Assert.Equal(examples.Length, scores.Items.Count);
        for (int i = 0; i < examples.Length; i++)
        {
            float[] expected = model.Forward(new Tensor((float[])examples[i].Clone(), 1, 1, 8, 8)).Data;
            Assert.Equal(expected, scores.Items[i]);
        }
    }

    [Fact]
    public async Task ProcessAsync_WrongExampleSize_ThrowsNamingShape()
    {
        IStage<float[][], float[][]> stage = InferenceStage.Replicas(Models.SmallMlp(), [12])();
        await stage.OpenAsync(null!, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await stage.ProcessAsync([new float[11]], CancellationToken.None));

        Assert.Contains("expected 12", ex.Message, StringComparison.Ordinal);
    }
}
