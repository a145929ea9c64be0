namespace Flow.Stages.Tabular.Scoring;

/// <summary>Scores feature vectors. Not thread-safe: one session per worker.</summary>
public interface IBinaryClassifierSession : IDisposable
{
    /// <summary>Scores a batch.</summary>
    /// <param name="features">The feature vectors, each <see cref="IBinaryClassifier.FeatureCount"/> long.</param>
    /// <param name="probabilities">Receives one probability per vector.</param>
    /// <exception cref="ArgumentException">A vector has the wrong length, or the span is too short.</exception>
    void Predict(IReadOnlyList<float[]> features, Span<float> probabilities);
}
