using Flow.Neural.Internal.Training;

namespace Flow.Neural;

/// <summary>Factory methods for loss functions.</summary>
public static class Losses
{
    /// <summary>
    /// Softmax followed by cross-entropy, on raw scores (logits). The fused gradient is
    /// (softmax − target) / batch, which is exact and numerically stable.
    /// </summary>
    /// <returns>The loss.</returns>
    public static Loss SoftmaxCrossEntropy() => new SoftmaxCrossEntropyLoss();

    /// <summary>Binary cross-entropy on probabilities in (0, 1), averaged over every element.</summary>
    /// <returns>The loss.</returns>
    public static Loss BinaryCrossEntropy() => new BinaryCrossEntropyLoss();

    /// <summary>Mean squared error, averaged over every element.</summary>
    /// <returns>The loss.</returns>
    public static Loss MeanSquaredError() => new MeanSquaredErrorLoss();
}
