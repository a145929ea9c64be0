namespace Flow.Neural.Tests;

internal static class InferenceChecks
{
    /// <summary>
    /// Runs an inference forward on <paramref name="afterInference"/> and a training forward on
    /// <paramref name="afterTraining"/> (the same model twice), then the same backward on both: the input
    /// gradients and every parameter gradient must be bit-identical (backward rebuilds what inference skipped).
    /// </summary>
    internal static void AssertBackwardAfterInferenceEqualsAfterTraining(Sequential afterInference, Sequential afterTraining, Tensor x, Tensor g)
    {
        afterInference.Forward(x);
        afterTraining.Forward(x, training: true);
        float[] dx1 = afterInference.Backward(g).Data.ToArray();
        float[] dx2 = afterTraining.Backward(g).Data.ToArray();

        Assert.Equal(dx2, dx1);
        for (int p = 0; p < afterTraining.Parameters.Count; p++)
        {
            Assert.Equal(afterTraining.Parameters[p].Gradient.Data, afterInference.Parameters[p].Gradient.Data);
        }
    }
}
