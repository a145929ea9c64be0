namespace Flow.Neural.Internal.Training;

/// <summary>−[y·log p + (1 − y)·log(1 − p)], mean over every element; p is clamped away from 0 and 1.</summary>
internal sealed class BinaryCrossEntropyLoss : Loss
{
    private const float Epsilon = 1e-7f;

    private protected override float ComputeCore(float[] prediction, float[] target, float[] gradient, int batch, int features)
    {
        int count = batch * features;
        double total = 0;
        for (int i = 0; i < count; i++)
        {
            float p = Math.Clamp(prediction[i], Epsilon, 1f - Epsilon);
            float y = target[i];
            total -= (y * Math.Log(p)) + ((1f - y) * Math.Log(1f - p));
            gradient[i] = (p - y) / (p * (1f - p) * count);
        }

        return (float)(total / count);
    }
}
