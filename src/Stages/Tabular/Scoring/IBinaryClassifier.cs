namespace Flow.Stages.Tabular.Scoring;

/// <summary>
/// A trained binary classifier over fixed-length feature vectors. Thread-safe: it only creates
/// sessions; a session does the scoring and is used by one worker at a time.
/// </summary>
public interface IBinaryClassifier
{
    /// <summary>A short name for reports, e.g. <c>lightgbm</c>.</summary>
    string Name { get; }

    /// <summary>The length of every feature vector.</summary>
    int FeatureCount { get; }

    /// <summary>Creates a scoring session (e.g. an ML.NET <c>PredictionEngine</c>) for one worker.</summary>
    /// <returns>The session.</returns>
    IBinaryClassifierSession CreateSession();
}
