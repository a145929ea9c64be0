using Flow.Neural.Data;

namespace Flow.Neural;

/// <summary>Epoch-level training and evaluation over streamed batches.</summary>
public static class TrainingLoop
{
    /// <summary>Trains one pass over the batches.</summary>
    /// <param name="trainer">The trainer (single worker, data-parallel or pipeline-parallel).</param>
    /// <param name="batches">The training batches.</param>
    /// <param name="progress">Receives the number of examples seen so far after each batch; optional.</param>
    /// <param name="cancellationToken">Stops training between batches.</param>
    /// <returns>The mean training loss over the pass, weighted by batch size.</returns>
    public static async Task<float> TrainEpochAsync(IBatchTrainer trainer, IAsyncEnumerable<Batch> batches, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(batches);
        double total = 0;
        int seen = 0;
        await foreach (Batch batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            total += trainer.TrainStep(batch.Inputs, batch.Targets) * (double)batch.Count;
            seen += batch.Count;
            progress?.Report(seen);
        }

        return seen == 0 ? float.NaN : (float)(total / seen);
    }

    /// <summary>Measures mean loss and accuracy (arg-max of the output against the label) without training.</summary>
    /// <param name="model">The model.</param>
    /// <param name="loss">The loss function.</param>
    /// <param name="batches">The evaluation batches.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>The mean loss and the fraction of correct predictions.</returns>
    public static async Task<(float Loss, float Accuracy)> EvaluateAsync(Sequential model, Loss loss, IAsyncEnumerable<Batch> batches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(batches);
        double totalLoss = 0;
        int correct = 0, seen = 0;
        await foreach (Batch batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            Tensor output = model.Forward(batch.Inputs);
            var gradient = new Tensor([.. output.Shape]);
            totalLoss += loss.Compute(output, batch.Targets, gradient) * (double)batch.Count;
            correct += CountCorrect(output, batch.Labels);
            seen += batch.Count;
        }

        return seen == 0 ? (float.NaN, float.NaN) : ((float)(totalLoss / seen), (float)correct / seen);
    }

    /// <summary>Counts rows whose arg-max equals the label.</summary>
    /// <param name="output">Scores, [batch, classes].</param>
    /// <param name="labels">The labels.</param>
    /// <returns>The number of correct rows.</returns>
    public static int CountCorrect(Tensor output, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(labels);
        int classes = output.Length / output.Dim(0);
        int correct = 0;
        for (int n = 0; n < labels.Count; n++)
        {
            int best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(output.Data.AsSpan(n * classes, classes));
            correct += best == labels[n] ? 1 : 0;
        }

        return correct;
    }
}
