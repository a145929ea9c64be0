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
        Optimizer optimizer = CreateOptimizer(learningRate, epochs * stepsPerEpoch);
        int skipped = 0;
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
                // The steps of SingleWorkerTrainer.TrainStep, with our own softmax cross-entropy: Flow.Neural's
                // takes its gradient from TensorPrimitives.SoftMax, which does not subtract the maximum and
                // gives NaN once a logit passes ~88 (late in training), while its loss stays finite. The
                // gradient check stays as a guard: a non-finite gradient is skipped, not applied.
                network.ZeroGradients();
                Tensor output = network.Forward(inputs, training: true);
                var gradient = new Tensor([.. output.Shape]);
                float loss = SoftmaxCrossEntropy(output.Data, targets.Data, gradient.Data, n, labels.Count);
                network.Backward(gradient);
                string[] bad = [.. network.Parameters.Select((p, i) => (p, i)).Where(x => !AllFinite(x.p.Gradient.Data)).Select(x => $"{x.p.Name}#{x.i}")];
                if (bad.Length > 0 && float.IsFinite(loss))
                {
                    if (skipped++ < 5)
                    {
                        log?.Invoke($"  epoch {epoch + 1}, step {batches + 1}: finite loss {loss:F4} but non-finite gradients in {string.Join(", ", bad)}; step skipped");
                    }

                    continue;
                }

                optimizer.Step(network.Parameters);
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
                optimizer = CreateOptimizer(learningRate, (epochs - epoch) * stepsPerEpoch);
                epoch--;
                continue;
            }

            lastGood.CopyParametersFrom(network);
            if (skipped > 0)
            {
                log?.Invoke($"  epoch {epoch + 1}: {skipped} step(s) skipped for non-finite gradients");
                skipped = 0;
            }

            onEpoch?.Invoke(epoch + 1, (float)(lossSum / Math.Max(1, batches)));
        }

        return new KeywordModel(network, labels);
    }

    private static Optimizer CreateOptimizer(float learningRate, int steps)
    {
        Optimizer optimizer = Optimizers.Adam(LearningRateSchedule.Cosine(learningRate, Math.Max(1, steps), learningRate / 20));
        optimizer.MaxGradientNorm = 5f;
        return optimizer;
    }

    /// <summary>Mean softmax cross-entropy over the batch and its gradient (softmax − target) / batch, max-subtracted.</summary>
    internal static float SoftmaxCrossEntropy(float[] logits, float[] targets, float[] gradient, int batch, int classes)
    {
        double total = 0;
        for (int n = 0; n < batch; n++)
        {
            ReadOnlySpan<float> z = logits.AsSpan(n * classes, classes);
            Span<float> g = gradient.AsSpan(n * classes, classes);
            float max = float.NegativeInfinity;
            foreach (float v in z)
            {
                max = Math.Max(max, v);
            }

            double sum = 0;
            for (int j = 0; j < classes; j++)
            {
                g[j] = MathF.Exp(z[j] - max);
                sum += g[j];
            }

            double logSum = max + Math.Log(sum);
            for (int j = 0; j < classes; j++)
            {
                float t = targets[(n * classes) + j];
                if (t != 0f)
                {
                    total -= t * (z[j] - logSum);
                }

                g[j] = (float)(((g[j] / sum) - t) / batch);
            }
        }

        return (float)(total / batch);
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
