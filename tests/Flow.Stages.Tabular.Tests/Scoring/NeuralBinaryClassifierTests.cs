using Flow.Neural;
using Flow.Stages.Tabular.Scoring;

namespace Flow.Stages.Tabular.Tests.Scoring;

public sealed class NeuralBinaryClassifierTests
{
    private static NeuralBinaryClassifier Create() =>
        new(new Sequential(Layers.Dense(3, 4, seed: 1), Layers.Relu(), Layers.Dense(4, 1, seed: 2), Layers.Sigmoid()), [1f, 2f, 3f], [2f, 0f, 4f]);

    [Fact]
    public void Standardize_SubtractsMeanDividesStd_ZeroStdCountsAsOne()
    {
        var model = Create();
        var destination = new float[3];

        model.Standardize([new[] { 5f, 7f, 11f }], destination);

        Assert.Equal([2f, 5f, 2f], destination);
    }

    [Fact]
    public void SaveAndLoad_RoundTrip_SameProbabilitiesInZeroToOne()
    {
        string path = Path.Combine(Path.GetTempPath(), $"flow-mlp-{Guid.NewGuid():N}.flowmodel");
        try
        {
            var model = Create();
            model.Save(path);
            var loaded = NeuralBinaryClassifier.Load(path);
            float[][] rows = [[0f, 0f, 0f], [1f, 2f, 3f], [9f, -4f, 0.5f]];
            var a = new float[3];
            var b = new float[3];

            using (var session = model.CreateSession())
            {
                session.Predict(rows, a);
            }

            using (var session = loaded.CreateSession())
            {
                session.Predict(rows, b);
            }

            Assert.Equal(a, b);
            Assert.All(a, p => Assert.InRange(p, 0f, 1f));
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".norm.json");
        }
    }

    [Fact]
    public void Load_MissingNormalization_NamesTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"flow-mlp-{Guid.NewGuid():N}.flowmodel");
        try
        {
            ModelFile.Save(new Sequential(Layers.Dense(3, 1)), path);

            var error = Assert.Throws<FileNotFoundException>(() => NeuralBinaryClassifier.Load(path));

            Assert.Contains(path + ".norm.json", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
