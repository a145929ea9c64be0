using System.Numerics.Tensors;

namespace Flow.Neural.Internal.Training;

/// <summary>Softmax + cross-entropy over the feature dimension, mean over the batch.</summary>
internal sealed class SoftmaxCrossEntropyLoss : Loss
{
    private protected override float ComputeCore(float[] prediction, float[] target, float[] gradient, int batch, int features)
    {
        double total = 0;
        float scale = 1f / batch;
        for (int n = 0; n < batch; n++)
        {
            ReadOnlySpan<float> logits = prediction.AsSpan(n * features, features);
            ReadOnlySpan<float> t = target.AsSpan(n * features, features);
            Span<float> g = gradient.AsSpan(n * features, features);
            // exp(logit − max): TensorPrimitives.SoftMax exponentiates the raw logits and returns
            // NaN once one passes ~88 (float overflow), which large logits in training do reach.
            float max = TensorPrimitives.Max(logits);
            TensorPrimitives.Subtract(logits, max, g);
            TensorPrimitives.Exp(g, g);
            float sum = TensorPrimitives.Sum(g);
            TensorPrimitives.Divide(g, sum, g);
            float logSum = max + MathF.Log(sum);
            for (int j = 0; j < features; j++)
            {
                if (t[j] != 0f)
                {
                    total -= t[j] * (logits[j] - logSum);
                }

                g[j] = (g[j] - t[j]) * scale;
            }
        }

        return (float)(total / batch);
    }
}
