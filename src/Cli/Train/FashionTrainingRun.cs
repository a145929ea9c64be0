using System.Diagnostics;
using System.Globalization;
using System.Text;
using Flow.Neural;
using Flow.Neural.Data;

namespace Flow.Cli.Train;

/// <summary>Runs the Fashion-MNIST training described by <see cref="FashionTrainingSettings"/>.</summary>
internal static class FashionTrainingRun
{
    public static async Task<int> RunAsync(FashionTrainingSettings settings, TextWriter console, TextWriter error, CancellationToken cancellationToken)
    {
        if (settings.DataParallel > 1 && settings.PipelineStages > 1)
        {
            await error.WriteLineAsync("flow train fashion: choose --data-parallel or --pipeline-stages, not both (hybrid parallelism is not implemented)").ConfigureAwait(false);
            return 2;
        }

        Sequential model = settings.Model == "cnn" ? FashionMnist.CreateCnn(settings.Seed) : FashionMnist.CreateMlp(settings.Seed);
        model.Options = new ComputeOptions { DegreeOfParallelism = settings.NeuronParallel };
        if (settings.PipelineStages > model.Layers.Count)
        {
            await error.WriteLineAsync($"flow train fashion: --pipeline-stages {settings.PipelineStages} is more than the {model.Layers.Count} layers of the {settings.Model}").ConfigureAwait(false);
            return 2;
        }

        LabeledImageSource train, test;
        try
        {
            train = FashionMnist.Train(settings.DataDirectory);
            test = FashionMnist.Test(settings.DataDirectory);
        }
        catch (IdxFormatException ex)
        {
            await error.WriteLineAsync($"flow train fashion: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        int trainCount = Math.Min(train.Count, settings.Limit ?? train.Count);
        int stepsPerEpoch = (trainCount + settings.BatchSize - 1) / settings.BatchSize;
        LearningRateSchedule schedule = LearningRateSchedule.Cosine(settings.LearningRate, stepsPerEpoch * settings.Epochs, settings.LearningRate * 0.05f);
        Loss loss = Losses.SoftmaxCrossEntropy();
        IBatchTrainer trainer = CreateTrainer(settings, model, loss, schedule);
        if (trainer is PipelineParallelTrainer pipeline)
        {
            await console.WriteLineAsync($"pipeline stages (layer ranges): {string.Join(" | ", pipeline.StageLayers.Select(r => $"{r.Start}..{r.End - 1}"))}").ConfigureAwait(false);
        }

        Directory.CreateDirectory(settings.OutputDirectory);
        string modelPath = Path.Combine(settings.OutputDirectory, $"fashion-{settings.Model}.flnn");
        string csvPath = Path.Combine(settings.OutputDirectory, $"fashion-{settings.Model}-metrics.csv");
        string pngPath = Path.Combine(settings.OutputDirectory, $"fashion-{settings.Model}-curve.png");
        string onnxPath = Path.Combine(settings.OutputDirectory, $"fashion-{settings.Model}.onnx");
        await console.WriteLineAsync($"model {settings.Model}: {model}").ConfigureAwait(false);
        await console.WriteLineAsync(
            $"training on {trainCount} images, testing on {test.Count}; batch {settings.BatchSize}, data-parallel {settings.DataParallel}, " +
            $"pipeline stages {settings.PipelineStages} (micro-batches {settings.MicroBatches}), neuron-parallel {settings.NeuronParallel}, SIMD {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "Vector512" : "Vector256")}").ConfigureAwait(false);

        var history = new List<EpochResult>();
        bool interactive = !Console.IsOutputRedirected;
        for (int epoch = 1; epoch <= settings.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var progress = new ProgressLine(console, interactive, epoch, settings.Epochs, trainCount);
            float trainLoss = await TrainingLoop.TrainEpochAsync(
                trainer,
                train.ReadBatchesAsync(settings.BatchSize, settings.ShuffleBuffer, settings.Seed + epoch, settings.Limit, cancellationToken),
                progress,
                cancellationToken).ConfigureAwait(false);
            double seconds = clock.Elapsed.TotalSeconds;
            (float testLoss, float accuracy) = await TrainingLoop.EvaluateAsync(trainer.Model, loss, test.ReadBatchesAsync(500, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            progress.Clear();
            history.Add(new EpochResult(epoch, trainLoss, testLoss, accuracy, seconds));
            await console.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"epoch {epoch}/{settings.Epochs}  train loss {trainLoss:F4}  test loss {testLoss:F4}  test accuracy {accuracy * 100:F2} %  ({seconds:F1} s, {trainCount / seconds:F0} images/s)")).ConfigureAwait(false);
        }

        ModelFile.Save(trainer.Model, modelPath);
        OnnxExporter.Export(trainer.Model, [1, 28, 28], onnxPath);
        await File.WriteAllTextAsync(csvPath, ToCsv(history), cancellationToken).ConfigureAwait(false);
        TrainingCurve.Save(history, pngPath, $"Fashion-MNIST {settings.Model.ToUpperInvariant()}");
        await console.WriteLineAsync($"saved model {modelPath} (ONNX: {onnxPath}), metrics {csvPath}, curve {pngPath}").ConfigureAwait(false);
        await console.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"final test accuracy {history[^1].TestAccuracy * 100:F2} %")).ConfigureAwait(false);
        return 0;
    }

    private static IBatchTrainer CreateTrainer(FashionTrainingSettings settings, Sequential model, Loss loss, LearningRateSchedule schedule)
    {
        Optimizer NewOptimizer() => Optimizers.Adam(schedule);
        if (settings.DataParallel > 1)
        {
            return new DataParallelTrainer(model, loss, NewOptimizer, settings.DataParallel);
        }

        if (settings.PipelineStages > 1)
        {
            IReadOnlyList<int> starts = PipelineParallelTrainer.BalanceByCompute(model, [1, 28, 28], settings.PipelineStages);
            return new PipelineParallelTrainer(model, loss, NewOptimizer(), settings.PipelineStages, settings.MicroBatches, starts);
        }

        return new SingleWorkerTrainer(model, loss, NewOptimizer());
    }

    private static string ToCsv(List<EpochResult> history)
    {
        var csv = new StringBuilder("epoch,train_loss,test_loss,test_accuracy,seconds\n");
        foreach (EpochResult r in history)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Epoch},{r.TrainLoss:G6},{r.TestLoss:G6},{r.TestAccuracy:G6},{r.Seconds:F2}\n");
        }

        return csv.ToString();
    }

    /// <summary>Prints an in-place progress bar on a terminal, and nothing when output is redirected (logs stay clean).</summary>
    private sealed class ProgressLine(TextWriter console, bool interactive, int epoch, int epochs, int total) : IProgress<int>
    {
        private int _lastPercent = -1;

        public void Report(int value)
        {
            int percent = (int)(100L * value / total);
            if (!interactive || percent == _lastPercent)
            {
                return;
            }

            _lastPercent = percent;
            int filled = percent / 4;
            console.Write($"\repoch {epoch}/{epochs} [{new string('#', filled)}{new string('.', 25 - filled)}] {percent,3} %");
        }

        public void Clear()
        {
            if (interactive)
            {
                console.Write("\r" + new string(' ', 60) + "\r");
            }
        }
    }
}
