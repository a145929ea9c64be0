using Flow.Pipeline;
using Flow.Stages.Tabular.Scoring;
using Flow.Stages.Tabular.Tests.Training;
using Flow.Stages.Tabular.Training;

namespace Flow.Stages.Tabular.Tests.Scoring;

public sealed class MlNetBinaryClassifierTests
{
    private static readonly Lazy<MlNetBinaryClassifier> Model = new(() =>
        BinaryClassifierTrainer.Train(BinaryClassifierTrainerTests.Rows(3000, 5), new BinaryTrainingOptions { NumberOfTrees = 30 }));

    [Fact]
    public async Task ScoringStage_FourReplicas_EqualsSequentialBatchTransform()
    {
        // PredictionEngine is not thread-safe; the factory gives each replica its own session.
        var rows = BinaryClassifierTrainerTests.Rows(5000, 9);
        var reference = Model.Value.PredictAll(rows.Select(r => r.Features));
        var builder = new PipelineBuilder(new PipelineOptions { MetricsEnabled = false });
        var scored = builder.From(Enumerable.Range(0, rows.Count), "ids")
            .Batch(64)
            .Then(() => new BinaryScoringStage<int>(Model.Value, i => rows[i].Features), new StageOptions { Name = "score", MaxDegreeOfParallelism = 4, EnsureOrdered = false })
            .Unbatch()
            .Collect();

        await builder.Build().RunAsync();

        Assert.Equal(rows.Count, scored.Items.Count);
        foreach (var item in scored.Items)
        {
            Assert.Equal(reference[item.Item], item.Probability);
        }
    }

    [Fact]
    public void SaveAndLoad_RoundTrip_SameProbabilities()
    {
        string path = Path.Combine(Path.GetTempPath(), $"flow-model-{Guid.NewGuid():N}.zip");
        try
        {
            Model.Value.Save(path);
            var loaded = MlNetBinaryClassifier.Load("lightgbm", path, 3);
            var rows = BinaryClassifierTrainerTests.Rows(200, 3).Select(r => r.Features).ToList();

            Assert.Equal(Model.Value.PredictAll(rows), loaded.PredictAll(rows));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Session_WrongVectorLength_ThrowsNamingLengths()
    {
        using var session = Model.Value.CreateSession();
        var probabilities = new float[1];

        var error = Assert.Throws<ArgumentException>(() => session.Predict([new float[5]], probabilities));

        Assert.Contains("has 5 values; the model expects 3", error.Message);
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        var error = Assert.Throws<FileNotFoundException>(() => MlNetBinaryClassifier.Load("x", "/nonexistent/m.zip", 3));

        Assert.Contains("'/nonexistent/m.zip' not found", error.Message);
    }
}
