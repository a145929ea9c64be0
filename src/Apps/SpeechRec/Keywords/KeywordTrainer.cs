using Flow.Neural;

namespace Flow.Apps.SpeechRec;

/// <summary>Trains and evaluates the keyword network with Flow.Neural (Adam, cosine schedule, softmax cross-entropy).</summary>
internal static class KeywordTrainer
{
    public const int BatchSize = 32;

    public static KeywordModel Train(IReadOnlyList<KeywordExample> examples, IReadOnlyList<string> labels, int epochs, int seed, Action<int, float>? onEpoch, CancellationToken cancellationToken)
    {
        Sequential network = KeywordModel.CreateNetwork(labels.Count, seed);
        network.Options = new ComputeOptions { DegreeOfParallelism = Environment.ProcessorCount };
        int steps = epochs * ((examples.Count + BatchSize - 1) / BatchSize);
        // Clipping: without it the loss went to NaN in the second epoch of the full run (20 words, 11k examples).
        Optimizer optimizer = Optimizers.Adam(LearningRateSchedule.Cosine(1e-3f, steps, 5e-5f));
        optimizer.MaxGradientNorm = 5f;
        var trainer = new SingleWorkerTrainer(network, Losses.SoftmaxCrossEntropy(), optimizer);
        var random = new Random(seed);
        int[] order = [.. Enumerable.Range(0, examples.Count)];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            random.Shuffle(order);
            double lossSum = 0;
            int batches = 0;
            for (int start = 0; start < order.Length; start += BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = Math.Min(BatchSize, order.Length - start);
                (Tensor inputs, Tensor targets) = MakeBatch(examples, order.AsSpan(start, n), labels.Count);
                float loss = trainer.TrainStep(inputs, targets);
                if (!float.IsFinite(loss))
                {
                    throw new InvalidOperationException($"keyword training diverged (loss {loss}) in epoch {epoch + 1}; lower the learning rate");
                }

                lossSum += loss;
                batches++;
            }

            onEpoch?.Invoke(epoch + 1, (float)(lossSum / Math.Max(1, batches)));
        }

        return new KeywordModel(network, labels);
    }

    /// <summary>Confusion matrix [true, predicted] of the model on the examples.</summary>
    public static int[,] Evaluate(KeywordModel model, IReadOnlyList<KeywordExample> examples)
    {
        int classes = model.Labels.Count;
        var confusion = new int[classes, classes];
        int[] all = [.. Enumerable.Range(0, examples.Count)];
        for (int start = 0; start < all.Length; start += 128)
        {
            int n = Math.Min(128, all.Length - start);
            (Tensor inputs, _) = MakeBatch(examples, all.AsSpan(start, n), classes);
            float[] logits = model.Network.Forward(inputs).Data;
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<float> row = logits.AsSpan(i * classes, classes);
                int predicted = 0;
                for (int c = 1; c < classes; c++)
                {
                    if (row[c] > row[predicted])
                    {
                        predicted = c;
                    }
                }

                confusion[examples[start + i].Label, predicted]++;
            }
        }

        return confusion;
    }

    public static double Accuracy(int[,] confusion)
    {
        long right = 0;
        long total = 0;
        for (int i = 0; i < confusion.GetLength(0); i++)
        {
            for (int j = 0; j < confusion.GetLength(1); j++)
            {
                total += confusion[i, j];
                right += i == j ? confusion[i, j] : 0;
            }
        }

        return total == 0 ? 0 : (double)right / total;
    }

    private static (Tensor Inputs, Tensor Targets) MakeBatch(IReadOnlyList<KeywordExample> examples, ReadOnlySpan<int> indices, int classes)
    {
        var inputs = new Tensor(indices.Length, KeywordFeatures.Bands, KeywordFeatures.Frames);
        var targets = new Tensor(indices.Length, classes);
        for (int i = 0; i < indices.Length; i++)
        {
            KeywordExample e = examples[indices[i]];
            e.Features.CopyTo(inputs.Data, i * KeywordFeatures.Length);
            targets.Data[(i * classes) + e.Label] = 1f;
        }

        return (inputs, targets);
    }
}
