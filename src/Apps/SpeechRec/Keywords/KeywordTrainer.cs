using Flow.Neural;

namespace Flow.Apps.SpeechRec;

/// <summary>Trains and evaluates the keyword network with Flow.Neural (Adam, cosine schedule, softmax cross-entropy).</summary>
internal static class KeywordTrainer
{
    public const int BatchSize = 32;

    public static KeywordModel Train(IReadOnlyList<KeywordExample> examples, IReadOnlyList<string> labels, int epochs, int seed, Action<int, float>? onEpoch, CancellationToken cancellationToken, Action<string>? log = null)
    {
        Sequential network = KeywordModel.CreateNetwork(labels.Count, seed);
        int stepsPerEpoch = (examples.Count + BatchSize - 1) / BatchSize;
        float learningRate = 1e-3f;
        SingleWorkerTrainer trainer = CreateTrainer(network, learningRate, epochs * stepsPerEpoch);
        Sequential lastGood = network.Clone();
        int restarts = 0;
        var random = new Random(seed);
        int[] order = [.. Enumerable.Range(0, examples.Count)];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            random.Shuffle(order);
            double lossSum = 0;
            int batches = 0;
            bool diverged = false;
            for (int start = 0; start < order.Length; start += BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = Math.Min(BatchSize, order.Length - start);
                (Tensor inputs, Tensor targets) = MakeBatch(examples, order.AsSpan(start, n), labels.Count);
                float loss = trainer.TrainStep(inputs, targets);
                if (!float.IsFinite(loss))
                {
                    diverged = true;
                    log?.Invoke($"  epoch {epoch + 1}, step {batches + 1}: loss {loss}; non-finite parameters: {string.Join(", ", network.Parameters.Where(p => !AllFinite(p.Value.Data)).Select(p => p.Name))}");
                    break;
                }

                lossSum += loss;
                batches++;
            }

            if (diverged)
            {
                // Go back to the end of the last good epoch with a fresh optimizer and half the rate.
                if (++restarts > 3)
                {
                    throw new InvalidOperationException($"keyword training diverged {restarts} times (loss not finite); last in epoch {epoch + 1}");
                }

                network.CopyParametersFrom(lastGood);
                learningRate /= 2;
                trainer = CreateTrainer(network, learningRate, (epochs - epoch) * stepsPerEpoch);
                epoch--;
                continue;
            }

            lastGood.CopyParametersFrom(network);
            onEpoch?.Invoke(epoch + 1, (float)(lossSum / Math.Max(1, batches)));
        }

        return new KeywordModel(network, labels);
    }

    private static SingleWorkerTrainer CreateTrainer(Sequential network, float learningRate, int steps)
    {
        Optimizer optimizer = Optimizers.Adam(LearningRateSchedule.Cosine(learningRate, Math.Max(1, steps), learningRate / 20));
        optimizer.MaxGradientNorm = 5f;
        return new SingleWorkerTrainer(network, Losses.SoftmaxCrossEntropy(), optimizer);
    }

    private static bool AllFinite(float[] values)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                return false;
            }
        }

        return true;
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
