using System.CommandLine;
using System.Globalization;
using Flow.Neural;
using Flow.Neural.Data;

namespace Flow.Cli.Train;

/// <summary>
/// <c>flow train fashion</c>: trains an MLP or a small CNN on Fashion-MNIST with a chosen kind of
/// parallelism, prints loss and accuracy per epoch, and writes the model, a CSV and a training-curve PNG.
/// </summary>
internal static class TrainFashionCommand
{
    /// <summary>Creates the <c>fashion</c> command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Network to train: mlp or cnn", DefaultValueFactory = _ => "mlp" };
        model.AcceptOnlyFromAmong("mlp", "cnn");
        Option<int> epochs = Positive("--epochs", "Passes over the 60,000 training images", 10);
        Option<int> batchSize = Positive("--batch-size", "Examples per optimizer step", 64);
        Option<int> dataParallel = Positive("--data-parallel", "Replicas K for synchronous data-parallel training (one core each)", 1);
        Option<int> stages = Positive("--pipeline-stages", "Pipeline (model-parallel) stages S; each runs on its own core", 1);
        Option<int> microBatches = Positive("--micro-batches", "Micro-batches M per batch for pipeline-parallel training", 4);
        Option<int> neuronParallel = Positive("--neuron-parallel", "Cores that share one layer's output neurons", 1);
        Option<int> shuffleBuffer = Positive("--shuffle-buffer", "Examples held in the streaming shuffle buffer", 10_000);
        Option<int> seed = Positive("--seed", "Seed for initialisation and shuffling", 1);
        var learningRate = new Option<float>("--learning-rate") { Description = "Adam learning rate at the start of the cosine schedule", DefaultValueFactory = _ => 1e-3f };
        learningRate.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<float>() is not (> 0f and < float.PositiveInfinity))
            {
                result.AddError("--learning-rate must be a positive number");
            }
        });
        var limit = new Option<int?>("--limit") { Description = "Use only the first N training images (quick runs)" };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0)
            {
                result.AddError("--limit must be a positive integer");
            }
        });
        var data = new Option<string>("--data") { Description = "Folder with the Fashion-MNIST IDX files", DefaultValueFactory = _ => FashionMnist.DefaultDirectory };
        var output = new Option<string>("--out") { Description = "Folder for the model (.flnn and .onnx), metrics CSV and training-curve PNG", DefaultValueFactory = _ => "runs/fashion" };

        var command = new Command("fashion", "Train an MLP or CNN on Fashion-MNIST (Debian package dataset-fashion-mnist)")
        {
            model, epochs, batchSize, dataParallel, stages, microBatches, neuronParallel, shuffleBuffer, seed, learningRate, limit, data, output,
        };
        command.SetAction((parse, cancellationToken) => FashionTrainingRun.RunAsync(
            new FashionTrainingSettings
            {
                Model = parse.GetValue(model)!,
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                DataParallel = parse.GetValue(dataParallel),
                PipelineStages = parse.GetValue(stages),
                MicroBatches = parse.GetValue(microBatches),
                NeuronParallel = parse.GetValue(neuronParallel),
                ShuffleBuffer = parse.GetValue(shuffleBuffer),
                Seed = parse.GetValue(seed),
                LearningRate = parse.GetValue(learningRate),
                Limit = parse.GetValue(limit),
                DataDirectory = parse.GetValue(data)!,
                OutputDirectory = parse.GetValue(output)!,
            },
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    private static Option<int> Positive(string name, string description, int defaultValue)
    {
        var option = new Option<int>(name) { Description = $"{description} (default {defaultValue.ToString(CultureInfo.InvariantCulture)})", DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError($"{name} must be a positive integer");
            }
        });
        return option;
    }
}
