namespace Flow.Neural.Internal.Training;

/// <summary>Mean of (p − y)² over every element.</summary>
internal sealed class MeanSquaredErrorLoss : Loss
{
    private protected override float ComputeCore(float[] prediction, float[] target, float[] gradient, int batch, int features)
    {
        int count = batch * features;
        double total = 0;
        for (int i = 0; i < count; i++)
        {
            float d = prediction[i] - target[i];
            total += d * d;
            gradient[i] = 2f * d / count;
        }

        return (float)(total / count);
    }
}
