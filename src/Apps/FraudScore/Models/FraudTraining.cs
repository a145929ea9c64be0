using System.Diagnostics;
using System.Globalization;
using Flow.Apps.FraudScore.Data;
using Flow.Apps.FraudScore.Features;
using Flow.Neural;
using Flow.Stages.Tabular.Scoring;
using Flow.Stages.Tabular.Training;

namespace Flow.Apps.FraudScore.Models;

/// <summary>
/// <c>flow fraud train</c>: features in time order, a time-based split (train on the past, choose the
/// threshold on the next period, test on the future), ML.NET LightGBM and FastTree and a Flow.Neural
/// MLP, metrics per model, models and manifest saved.
/// </summary>
public static class FraudTraining
{
    /// <summary>The fewest transactions a file must hold to be split into train, validation and test periods.</summary>
    public const int MinimumRows = 100;

    /// <summary>Trains on a CSV file and writes the model folder.</summary>
    /// <param name="settings">Input, output, kinds and hyper-parameters.</param>
    /// <param name="output">Receives the progress and the metrics table.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <returns>The manifest that was written.</returns>
    public static async Task<FraudModelManifest> RunAsync(FraudTrainingSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        settings.Validate();
        if (!File.Exists(settings.InputPath))
        {
            throw new FileNotFoundException($"transaction CSV '{settings.InputPath}' not found (pass --csv, or write one with 'flow fraud generate --out {settings.InputPath}')", settings.InputPath);
        }

        string rejectPath = settings.RejectPath ?? settings.InputPath + ".rejected.txt";
        long rejected = 0;
        var transactions = await TransactionFile.ReadAllAsync(settings.InputPath, _ => Interlocked.Increment(ref rejected), rejectPath, cancellationToken).ConfigureAwait(false);
        output.WriteLine(FormattableString.Invariant($"read {transactions.Count:N0} transactions from {settings.InputPath} ({rejected:N0} malformed rows dead-lettered to {rejectPath})"));
        if (transactions.Count < MinimumRows)
        {
            throw new InvalidDataException(FormattableString.Invariant(
                $"'{settings.InputPath}' has {transactions.Count:N0} valid transactions ({rejected:N0} malformed, see {rejectPath}); training needs at least {MinimumRows}"));
        }

        return Train(transactions, settings, output, cancellationToken);
    }

    /// <summary>Trains on transactions in time order and writes the model folder.</summary>
    /// <param name="transactions">Labelled transactions, oldest first.</param>
    /// <param name="settings">Output, kinds and hyper-parameters.</param>
    /// <param name="output">Receives the progress and the metrics table.</param>
    /// <param name="cancellationToken">Stops the work between models.</param>
    /// <returns>The manifest that was written.</returns>
    /// <exception cref="ArgumentException">A period holds only one class.</exception>
    public static FraudModelManifest Train(IReadOnlyList<Transaction> transactions, FraudTrainingSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        settings.Validate();
        var extractor = new CardFeatureExtractor();
        var rows = new FeatureRow[transactions.Count];
        for (int i = 0; i < transactions.Count; i++)
        {
            rows[i] = new FeatureRow { Features = extractor.Next(transactions[i]), Label = transactions[i].IsFraud };
        }

        int trainEnd = (int)(rows.Length * settings.TrainFraction);
        int validationEnd = (int)(rows.Length * (settings.TrainFraction + settings.ValidationFraction));
        var train = rows[..trainEnd];
        var validation = rows[trainEnd..validationEnd];
        var test = rows[validationEnd..];
        output.WriteLine(FormattableString.Invariant(
            $"time split: train {train.Length:N0} rows until {transactions[Math.Max(0, trainEnd - 1)].Timestamp:u}, validation {validation.Length:N0}, test {test.Length:N0} from {transactions[Math.Min(validationEnd, transactions.Count - 1)].Timestamp:u}; fraud rate {rows.Count(r => r.Label) / (double)rows.Length:P2}"));
        Directory.CreateDirectory(settings.OutputFolder);
        var entries = new List<FraudModelEntry>();
        foreach (var kind in settings.Kinds)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            IBinaryClassifier model;
            string file;
            if (kind == FraudModelKind.Mlp)
            {
                var mlp = TrainMlp(train, settings, cancellationToken);
                file = "mlp.flowmodel";
                mlp.Save(Path.Combine(settings.OutputFolder, file));
                model = mlp;
            }
            else
            {
                var trees = BinaryClassifierTrainer.Train(train, new BinaryTrainingOptions
                {
                    Kind = kind == FraudModelKind.LightGbm ? BinaryTrainerKind.LightGbm : BinaryTrainerKind.FastTree,
                    NumberOfTrees = settings.Trees,
                    Seed = settings.Seed,
                });
                file = kind + ".zip";
                trees.Save(Path.Combine(settings.OutputFolder, file));
                SaveOnnx(trees, Path.Combine(settings.OutputFolder, FraudScoringEngine.OnnxFileOf(file)), output);
                model = trees;
            }

            double seconds = watch.Elapsed.TotalSeconds;
            var validationScores = Predict(model, validation);
            var validationLabels = validation.Select(r => r.Label).ToArray();
            float threshold = BinaryEvaluation.ThresholdForPrecision(validationScores, validationLabels, settings.TargetPrecision);
            var validationMetrics = BinaryEvaluation.Evaluate(validationScores, validationLabels, threshold);
            var testMetrics = BinaryEvaluation.Evaluate(Predict(model, test), test.Select(r => r.Label).ToArray(), threshold);
            entries.Add(new FraudModelEntry(kind, file, threshold, validationMetrics, testMetrics, seconds));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind,-9} trained in {seconds:0.0} s; test period: {testMetrics}"));
        }

        var manifest = new FraudModelManifest(FraudFeatures.Names, settings.TargetPrecision, train.Length, validation.Length, test.Length, entries);
        manifest.Save(settings.OutputFolder);
        output.WriteLine($"models and {FraudModelManifest.FileName} written to {settings.OutputFolder}");
        return manifest;
    }

    /// <summary>Loads one model of a model folder.</summary>
    /// <param name="folder">The folder written by <c>flow fraud train</c>.</param>
    /// <param name="kind">The model kind.</param>
    /// <param name="engine">The runtime that serves a tree model (<see cref="FraudScoringEngine"/>); the MLP always runs on Flow.Neural.</param>
    /// <returns>The classifier and its alert threshold.</returns>
    /// <exception cref="FileNotFoundException">The manifest or model file is missing (for the ONNX engine: the message names the file and how to create it).</exception>
    /// <exception cref="InvalidDataException">The manifest is not valid, or the models were trained on other features than this version computes.</exception>
    /// <exception cref="ArgumentException">The engine is unknown, the ONNX engine was asked for the MLP, or the folder has no model of that kind.</exception>
    public static (IBinaryClassifier Model, float Threshold) LoadModel(string folder, string kind, string engine = FraudScoringEngine.MlNet)
    {
        if (!FraudScoringEngine.All.Contains(engine))
        {
            throw new ArgumentException($"unknown scoring engine '{engine}' (choose from {string.Join(", ", FraudScoringEngine.All)})", nameof(engine));
        }

        if (engine == FraudScoringEngine.Onnx && kind == FraudModelKind.Mlp)
        {
            throw new ArgumentException($"the {FraudScoringEngine.Onnx} engine serves the tree models (lightgbm, fasttree); the mlp runs on Flow.Neural: use --engine {FraudScoringEngine.MlNet}", nameof(engine));
        }

        var manifest = FraudModelManifest.Load(folder);
        if (!manifest.FeatureNames.SequenceEqual(FraudFeatures.Names))
        {
            throw new InvalidDataException($"models in '{folder}' were trained on other features ({string.Join(",", manifest.FeatureNames)}); retrain with 'flow fraud train --out {folder}'");
        }

        var entry = manifest.Models.FirstOrDefault(m => string.Equals(m.Kind, kind, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException(
                $"no '{kind}' model in '{folder}' (it has: {string.Join(", ", manifest.Models.Select(m => m.Kind))}): pass one of those to --model-kind, or train it with 'flow fraud train --models {kind} --out {folder}'",
                nameof(kind));
        string path = Path.Combine(folder, entry.File);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"model file '{path}' (listed in {FraudModelManifest.FileName}) not found: retrain with 'flow fraud train --out {folder}'", path);
        }

        if (engine == FraudScoringEngine.Onnx)
        {
            string onnx = FraudScoringEngine.OnnxFileOf(path);
            if (!File.Exists(onnx))
            {
                throw new FileNotFoundException($"ONNX model '{onnx}' not found: retrain with 'flow fraud train --out {folder}' (it writes each tree model as ONNX next to its .zip) or score with --engine {FraudScoringEngine.MlNet}", onnx);
            }

            return (OnnxBinaryClassifier.Load(kind, onnx, FraudFeatures.Count), entry.Threshold);
        }

        IBinaryClassifier model = kind == FraudModelKind.Mlp
            ? NeuralBinaryClassifier.Load(path)
            : MlNetBinaryClassifier.Load(kind, path, FraudFeatures.Count);
        return (model, entry.Threshold);
    }

    private static void SaveOnnx(MlNetBinaryClassifier trees, string path, TextWriter output)
    {
        try
        {
            trees.SaveOnnx(path);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The ML.NET model stays usable (--engine mlnet); only the ONNX engine needs this file.
            output.WriteLine($"{trees.Name}: ONNX export failed ({e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}); --engine {FraudScoringEngine.MlNet} still serves {Path.ChangeExtension(path, ".zip")}");
        }
    }

    private static float[] Predict(IBinaryClassifier model, FeatureRow[] rows)
    {
        var result = new float[rows.Length];
        using var session = model.CreateSession();
        const int Chunk = 4096;
        var vectors = new List<float[]>(Chunk);
        for (int start = 0; start < rows.Length; start += Chunk)
        {
            vectors.Clear();
            int end = Math.Min(rows.Length, start + Chunk);
            for (int i = start; i < end; i++)
            {
                vectors.Add(rows[i].Features);
            }

            session.Predict(vectors, result.AsSpan(start, end - start));
        }

        return result;
    }

    private static NeuralBinaryClassifier TrainMlp(FeatureRow[] train, FraudTrainingSettings settings, CancellationToken cancellationToken)
    {
        int n = FraudFeatures.Count;
        var (mean, std) = NeuralBinaryClassifier.Standardization(train.Select(r => r.Features).ToArray());
        var network = new Sequential(
            Layers.Dense(n, 32, seed: settings.Seed),
            Layers.Relu(),
            Layers.Dense(32, 16, seed: settings.Seed + 1),
            Layers.Relu(),
            Layers.Dense(16, 1, seed: settings.Seed + 2),
            Layers.Sigmoid());
        var classifier = new NeuralBinaryClassifier(network, mean, std);
        const int BatchSize = 256;
        int steps = settings.Epochs * (train.Length / BatchSize);
        var trainer = new SingleWorkerTrainer(network, Losses.BinaryCrossEntropy(), Optimizers.Adam(LearningRateSchedule.Cosine(3e-3f, Math.Max(1, steps), 1e-4f)));
        var order = Enumerable.Range(0, train.Length).ToArray();
        var random = new Random(settings.Seed);
        var inputs = new Tensor(BatchSize, n);
        var targets = new Tensor(BatchSize, 1);
        var batch = new List<float[]>(BatchSize);
        for (int epoch = 0; epoch < settings.Epochs; epoch++)
        {
            random.Shuffle(order);
            for (int start = 0; start + BatchSize <= order.Length; start += BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                batch.Clear();
                for (int i = 0; i < BatchSize; i++)
                {
                    var row = train[order[start + i]];
                    batch.Add(row.Features);
                    targets.Span[i] = row.Label ? 1f : 0f;
                }

                classifier.Standardize(batch, inputs.Span);
                trainer.TrainStep(inputs, targets);
            }
        }

        return classifier;
    }
}
