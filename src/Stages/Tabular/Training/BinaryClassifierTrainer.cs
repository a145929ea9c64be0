using Flow.Stages.Tabular.Scoring;
using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Flow.Stages.Tabular.Training;

/// <summary>Trains ML.NET gradient-boosted tree classifiers on feature vectors.</summary>
public static class BinaryClassifierTrainer
{
    /// <summary>Trains a classifier.</summary>
    /// <param name="rows">The training rows; every vector has the same length; both labels present.</param>
    /// <param name="options">The trainer and its hyper-parameters.</param>
    /// <returns>The trained classifier.</returns>
    /// <exception cref="ArgumentException">No rows, vectors of different lengths, or only one class.</exception>
    public static MlNetBinaryClassifier Train(IReadOnlyList<FeatureRow> rows, BinaryTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        if (rows.Count == 0)
        {
            throw new ArgumentException("no training rows", nameof(rows));
        }

        int featureCount = rows[0].Features.Length;
        int positives = 0;
        foreach (var row in rows)
        {
            if (row.Features.Length != featureCount)
            {
                throw new ArgumentException($"feature vectors differ in length ({row.Features.Length} and {featureCount})", nameof(rows));
            }

            positives += row.Label ? 1 : 0;
        }

        if (positives == 0 || positives == rows.Count)
        {
            throw new ArgumentException($"the training rows hold only one class ({positives} positive of {rows.Count})", nameof(rows));
        }

        var context = new MLContext(seed: options.Seed);
        var data = context.Data.LoadFromEnumerable(rows, MlNetBinaryClassifier.CreateInputSchema(featureCount));
        IEstimator<ITransformer> trainer = options.Kind switch
        {
            BinaryTrainerKind.LightGbm => context.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                NumberOfIterations = options.NumberOfTrees,
                NumberOfLeaves = options.NumberOfLeaves,
                LearningRate = options.LearningRate,
                MinimumExampleCountPerLeaf = options.MinimumExampleCountPerLeaf,
                Seed = options.Seed,
                NumberOfThreads = 1,
                Verbose = false,
                Silent = true,
            }),
            BinaryTrainerKind.FastTree => context.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                NumberOfTrees = options.NumberOfTrees,
                NumberOfLeaves = options.NumberOfLeaves,
                LearningRate = options.LearningRate,
                MinimumExampleCountPerLeaf = options.MinimumExampleCountPerLeaf,
                Seed = options.Seed,
                NumberOfThreads = 1,
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "unknown trainer kind"),
        };
        var model = trainer.Fit(data);
        string name = options.Kind == BinaryTrainerKind.LightGbm ? "lightgbm" : "fasttree";
        return new MlNetBinaryClassifier(name, context, model, featureCount);
    }
}
