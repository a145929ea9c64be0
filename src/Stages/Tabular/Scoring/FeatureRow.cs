namespace Flow.Stages.Tabular.Scoring;

/// <summary>The ML.NET input row: a feature vector and its label (ignored when scoring).</summary>
public sealed class FeatureRow
{
    /// <summary>The feature vector.</summary>
    /// <value>The default is an empty vector.</value>
    public float[] Features { get; set; } = [];

    /// <summary>The label: whether the row is positive (fraud).</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Label { get; set; }
}
