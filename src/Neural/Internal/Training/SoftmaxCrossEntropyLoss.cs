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
            TensorPrimitives.SoftMax(logits, g);
            float max = TensorPrimitives.Max(logits);
            float logSum = max + MathF.Log(SumExp(logits, max));
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

    private static float SumExp(ReadOnlySpan<float> logits, float max)
    {
        float sum = 0f;
        foreach (float v in logits)
        {
            sum += MathF.Exp(v - max);
        }

        return sum;
    }
}
