namespace Flow.Neural;

/// <summary>A loss function: the mean loss over a batch and its gradient with respect to the prediction.</summary>
/// <remarks>Create losses with the factory methods on <see cref="Losses"/>.</remarks>
public abstract class Loss
{
    private protected Loss()
    {
    }

    /// <summary>Computes the mean loss of a batch and writes dLoss/dPrediction.</summary>
    /// <param name="prediction">The model output, [batch, features].</param>
    /// <param name="target">The target, shaped like <paramref name="prediction"/> (one-hot rows for classification).</param>
    /// <param name="gradient">Receives dLoss/dPrediction; shaped like <paramref name="prediction"/>.</param>
    /// <returns>The loss averaged over the batch.</returns>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public float Compute(Tensor prediction, Tensor target, Tensor gradient)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(gradient);
        if (prediction.Length != target.Length || prediction.Length != gradient.Length)
        {
            throw new ArgumentException($"prediction {prediction}, target {target} and gradient {gradient} must have the same size", nameof(target));
        }

        int batch = prediction.Dim(0);
        return ComputeCore(prediction.Data, target.Data, gradient.Data, batch, prediction.Length / batch);
    }

    private protected abstract float ComputeCore(float[] prediction, float[] target, float[] gradient, int batch, int features);
}
