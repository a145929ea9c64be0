using Flow.Stages.Tabular.Scoring;
using Flow.Stages.Tabular.Training;

namespace Flow.Stages.Tabular.Tests.Training;

public sealed class BinaryClassifierTrainerTests
{
    internal static List<FeatureRow> Rows(int count, int seed)
    {
        // Positive when x0 + x1 > 1.2, with 3 % label noise; x2 is noise.
        var random = new Random(seed);
        var rows = new List<FeatureRow>(count);
        for (int i = 0; i < count; i++)
        {
            float a = (float)random.NextDouble(), b = (float)random.NextDouble(), c = (float)random.NextDouble();
            bool label = (a + b > 1.2) ^ (random.NextDouble() < 0.03);
            rows.Add(new FeatureRow { Features = [a, b, c], Label = label });
        }

        return rows;
    }

    [Theory]
    [InlineData(BinaryTrainerKind.LightGbm)]
    [InlineData(BinaryTrainerKind.FastTree)]
    public void Train_SeparableData_HeldOutRocAucAbove095(BinaryTrainerKind kind)
    {
        var train = Rows(4000, seed: 1);
        var test = Rows(2000, seed: 2);

        var model = BinaryClassifierTrainer.Train(train, new BinaryTrainingOptions { Kind = kind, NumberOfTrees = 50 });
        var probabilities = model.PredictAll(test.Select(r => r.Features));
        var evaluation = BinaryEvaluation.Evaluate(probabilities, test.Select(r => r.Label).ToArray(), 0.5f);

        Assert.True(evaluation.RocAuc > 0.95, evaluation.ToString());
        Assert.Equal(kind == BinaryTrainerKind.LightGbm ? "lightgbm" : "fasttree", model.Name);
    }

    [Fact]
    public void Train_OneClass_ThrowsNamingCounts()
    {
        var rows = Rows(100, 1).Select(r => new FeatureRow { Features = r.Features, Label = false }).ToList();

        var error = Assert.Throws<ArgumentException>(() => BinaryClassifierTrainer.Train(rows, new BinaryTrainingOptions()));

        Assert.Contains("only one class (0 positive of 100)", error.Message);
    }

    [Fact]
    public void Options_InvalidValues_Throw()
    {
        var options = new BinaryTrainingOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.NumberOfTrees = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.NumberOfLeaves = 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.LearningRate = 0);
        Assert.Equal(200, options.NumberOfTrees);
    }
}
