using Flow.Stages.Tabular.Arff;
using Flow.Stages.Tabular.Scoring;
using Flow.Stages.Tabular.Training;

namespace Flow.Apps.FraudScore.Models;

/// <summary>
/// <c>flow fraud train --arff credit-g.arff</c>: the training path on real tabular data. The last
/// nominal attribute is the class; its second value (credit-g: <c>bad</c>) is the positive class.
/// A seeded 70/30 split (the data has no time order), LightGBM, ROC AUC and PR AUC on the 30 %.
/// </summary>
internal static class ArffSanityCheck
{
    public static Task<int> RunAsync(string path, TextWriter output, CancellationToken cancellationToken)
    {
        var evaluation = Evaluate(path, seed: 1);
        output.WriteLine($"{path}: LightGBM on a 70/30 split, held-out: {evaluation}");
        return Task.FromResult(0);
    }

    public static BinaryEvaluation Evaluate(string path, int seed)
    {
        var data = ArffDataset.Load(path);
        var target = data.Attributes[^1];
        if (target.IsNumeric || target.NominalValues.Count != 2)
        {
            throw new FormatException($"{path}: the last attribute '{target.Name}' must be a two-valued class");
        }

        var rows = data.ToFeatureRows(target.Name, target.NominalValues[1]).ToArray();
        new Random(seed).Shuffle(rows);
        int cut = (int)(rows.Length * 0.7);
        var model = BinaryClassifierTrainer.Train(rows[..cut], new BinaryTrainingOptions { NumberOfTrees = 100, NumberOfLeaves = 8, LearningRate = 0.05, MinimumExampleCountPerLeaf = 10, Seed = seed });
        var test = rows[cut..];
        var probabilities = model.PredictAll(test.Select(r => r.Features));
        return BinaryEvaluation.Evaluate(probabilities, test.Select(r => r.Label).ToArray(), 0.5f);
    }
}
