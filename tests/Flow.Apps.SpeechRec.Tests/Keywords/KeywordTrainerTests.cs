namespace Flow.Apps.SpeechRec.Tests.Keywords;

public sealed class KeywordTrainerTests
{
    [Fact]
    public void SoftmaxCrossEntropy_LargeLogits_FiniteGradientThatSumsToZero()
    {
        // TensorPrimitives.SoftMax gives NaN here (no max subtraction); the trainer's own must not.
        float[] logits = [100f, 1f, -3f, 95f];
        float[] targets = [0f, 0f, 0f, 1f];
        var gradient = new float[4];

        float loss = KeywordTrainer.SoftmaxCrossEntropy(logits, targets, gradient, batch: 1, classes: 4);

        Assert.Equal(5.0067, loss, 3);
        Assert.All(gradient, g => Assert.True(float.IsFinite(g)));
        Assert.Equal(0, gradient.Sum(), 5);
        Assert.True(gradient[3] < 0 && gradient[0] > 0);
    }

    [Fact]
    public void Accuracy_IsDiagonalShare()
    {
        int[,] confusion = { { 8, 2 }, { 1, 9 } };

        Assert.Equal(0.85, KeywordTrainer.Accuracy(confusion), 9);
    }
}
