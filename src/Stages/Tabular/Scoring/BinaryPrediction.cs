namespace Flow.Stages.Tabular.Scoring;

/// <summary>The ML.NET output row of a calibrated binary classifier.</summary>
public sealed class BinaryPrediction
{
    /// <summary>The calibrated probability of the positive class.</summary>
    /// <value>Set by ML.NET.</value>
    public float Probability { get; set; }

    /// <summary>The raw, uncalibrated score.</summary>
    /// <value>Set by ML.NET.</value>
    public float Score { get; set; }
}
