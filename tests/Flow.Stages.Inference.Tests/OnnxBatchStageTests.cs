using Flow.Neural;
using Flow.Pipeline;

namespace Flow.Stages.Inference.Tests;

public class OnnxBatchStageTests
{
    private static float[] Input(int i) => [i, -i, 0.5f * i, 1];

    private static float[] Expected(Sequential model, float[] input) => model.Forward(new Tensor((float[])input.Clone(), 1, 4)).Data.ToArray();

    [Fact]
    public async Task ProcessAsync_DynamicBatch_RunsOneSessionCallAndMatchesTheModel()
    {
        var (path, model) = Models.Dense4To3();
        var stage = new DenseStage(path);
        await stage.OpenAsync(null!, default);
        try
        {
            Assert.True(stage.SupportsBatching);
            Assert.Equal("[N,4]", stage.Input.FormatShape());
            var items = Enumerable.Range(0, 5).Select(Input).ToArray();
            var results = await stage.ProcessAsync(items, default);
            Assert.Equal(1, stage.SessionRuns);
            for (int i = 0; i < items.Length; i++)
            {
                var expected = Expected(model, items[i]);
                Assert.Equal(3, results[i].Length);
                for (int j = 0; j < 3; j++)
                {
                    Assert.Equal(expected[j], results[i][j], 4);
                }
            }
        }
        finally
        {
            await stage.CloseAsync(default);
        }
    }

    [Fact]
    public async Task ProcessAsync_RepeatedBatchesOfChangingSizes_ReusedBuffersGiveEachItemItsOwnResult()
    {
        // Buffers are bound once per batch size and reused: a stale value from an earlier call would show here.
        var (path, model) = Models.Dense4To3();
        var stage = new DenseStage(path);
        await stage.OpenAsync(null!, default);
        try
        {
            int next = 1;
            foreach (int size in new[] { 5, 2, 5, 1, 2 })
            {
                var items = Enumerable.Range(next, size).Select(Input).ToArray();
                next += size;
                var results = await stage.ProcessAsync(items, default);
                for (int i = 0; i < size; i++)
                {
                    var expected = Expected(model, items[i]);
                    Assert.Equal(expected.Length, results[i].Length);
                    for (int j = 0; j < expected.Length; j++)
                    {
                        Assert.Equal(expected[j], results[i][j], 4);
                    }
                }
            }

            Assert.Equal(5, stage.SessionRuns);
        }
        finally
        {
            await stage.CloseAsync(default);
        }
    }

    [Fact]
    public async Task ProcessAsync_SuccessfulBatch_ReleasesEveryInputAfterwards_FailedBatchReleasesNone()
    {
        var (path, _) = Models.Dense4To3();
        var stage = new DenseStage(path);
        await stage.OpenAsync(null!, default);
        try
        {
            var good = Enumerable.Range(0, 3).Select(Input).ToArray();
            await stage.ProcessAsync(good, default);
            Assert.Equal(good, stage.Released);

            var bad = Enumerable.Range(10, 3).Select(Input).ToArray();
            stage.FailOn = bad[2];
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await stage.ProcessAsync(bad, default));
            Assert.Equal(3, stage.Released.Count); // a retried batch must still find its inputs
        }
        finally
        {
            await stage.CloseAsync(default);
        }
    }

    [Fact]
    public async Task Pipeline_BatchedReplicatedStage_KeepsOrderAndOpensOneSessionPerReplica()
    {
        var (path, model) = Models.Dense4To3();
        var replicas = new List<DenseStage>();
        var builder = new PipelineBuilder();
        var outputs = builder.From(Enumerable.Range(0, 50).Select(Input), "numbers")
            .Batch(4)
            .Then(
                () =>
                {
                    var stage = new DenseStage(path);
                    lock (replicas)
                    {
                        replicas.Add(stage);
                    }

                    return stage;
                },
                new StageOptions { Name = "infer", MaxDegreeOfParallelism = 3 })
            .Unbatch()
            .Collect();
        await builder.Build().RunAsync();

        Assert.Equal(3, replicas.Count);
        Assert.All(replicas, r => Assert.Equal(1, r.Opened));
        Assert.Equal(13, replicas.Sum(r => r.SessionRuns)); // 12 full batches of 4 + the final 2
        Assert.Equal(50, outputs.Items.Count);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(Expected(model, Input(i))[0], outputs.Items[i][0], 4);
        }
    }

    [Fact]
    public async Task OpenAsync_MissingFile_ThrowsNamingTheFile()
    {
        var stage = new DenseStage("/models/none.onnx");
        var ex = await Assert.ThrowsAsync<OnnxModelException>(async () => await stage.OpenAsync(null!, default));
        Assert.Equal("model file '/models/none.onnx' not found (run scripts/setup.sh to fetch the bundled models, or pass an existing .onnx file)", ex.Message);
        Assert.Equal("/models/none.onnx", ex.ModelPath);
    }

    [Fact]
    public async Task OpenAsync_NotAModel_ThrowsSayingItCannotBeLoaded()
    {
        string path = Path.Combine(Path.GetTempPath(), $"flow-not-a-model-{Guid.NewGuid():N}.onnx");
        await File.WriteAllTextAsync(path, "plain text, not protobuf");
        var ex = await Assert.ThrowsAsync<OnnxModelException>(async () => await new DenseStage(path).OpenAsync(null!, default));
        Assert.StartsWith($"model file '{path}' cannot be loaded by ONNX Runtime:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_InputShapeMismatch_ThrowsWithBothShapes()
    {
        var (path, _) = Models.Dense4To3();
        var ex = await Assert.ThrowsAsync<OnnxModelException>(async () => await new ImageStage(path).OpenAsync(null!, default));
        Assert.Equal($"model '{path}' input 'input' has shape [N,4]; this stage needs [N,3,H,W]", ex.Message);
    }

    [Fact]
    public async Task Pipeline_ModelMismatch_FailsBeforeAnyItemNamingTheStage()
    {
        var (path, _) = Models.Dense4To3();
        int consumed = 0;
        var builder = new PipelineBuilder();
        builder.From(Enumerable.Range(0, 10).Select(Input), "numbers").Batch(2)
            .Then(() => new ImageStage(path), new StageOptions { Name = "detector" })
            .To(_ => consumed++);
        var ex = await Assert.ThrowsAsync<StageFailedException>(() => builder.Build().RunAsync());
        Assert.Equal("detector", ex.StageName);
        Assert.Equal(StagePhase.Open, ex.Phase);
        Assert.IsType<OnnxModelException>(ex.InnerException);
        Assert.Equal(0, consumed);
    }

    [Fact]
    public async Task ProcessAsync_BeforeOpen_Throws()
    {
        var (path, _) = Models.Dense4To3();
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await new DenseStage(path).ProcessAsync([Input(1)], default));
    }
}
