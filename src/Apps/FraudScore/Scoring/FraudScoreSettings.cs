using Flow.Apps.FraudScore.Models;

namespace Flow.Apps.FraudScore.Scoring;

/// <summary>Settings of <c>flow fraud score</c> from a CSV file.</summary>
public sealed class FraudScoreSettings
{
    /// <summary>The transaction CSV to score.</summary>
    /// <value>The default is <c>tx.csv</c>.</value>
    public string InputPath { get; set; } = "tx.csv";

    /// <summary>The model folder written by <c>flow fraud train</c>.</summary>
    /// <value>The default is <c>models/fraud</c>.</value>
    public string ModelFolder { get; set; } = "models/fraud";

    /// <summary>Which model to score with (<see cref="FraudModelKind"/>).</summary>
    /// <value>The default is <see cref="FraudModelKind.LightGbm"/>.</value>
    public string ModelKind { get; set; } = FraudModelKind.LightGbm;

    /// <summary>The runtime that serves a tree model (<see cref="FraudScoringEngine"/>).</summary>
    /// <value>The default is <see cref="FraudScoringEngine.Onnx"/> (faster than ML.NET's PredictionEngine in docs/FRAUD.md, equal scores within 1e-5).</value>
    public string Engine { get; set; } = FraudScoringEngine.Onnx;

    /// <summary>Overrides the model's alert threshold.</summary>
    /// <value>The default is <see langword="null"/>: the threshold chosen at training.</value>
    public float? Threshold { get; set; }

    /// <summary>The scored-output CSV (<c>tx_id,card_id,timestamp,amount,probability,alert,is_fraud</c>).</summary>
    /// <value>The default is <see langword="null"/>: not written.</value>
    public string? ScoredPath { get; set; }

    /// <summary>The alerts CSV (same columns, alerts only).</summary>
    /// <value>The default is <see langword="null"/>: not written.</value>
    public string? AlertsPath { get; set; }

    /// <summary>The dead-letter file of malformed rows (<c>file:line: reason | record</c>).</summary>
    /// <value>The default is <see langword="null"/>: <c>&lt;input&gt;.rejected.txt</c>.</value>
    public string? RejectPath { get; set; }

    /// <summary>Replays at this multiple of event time.</summary>
    /// <value>The default is <see langword="null"/>: as fast as possible.</value>
    public double? ReplaySpeed { get; set; }

    /// <summary>Parallelism and batching.</summary>
    /// <value>The default is <see cref="FraudScoringOptions"/>' defaults.</value>
    public FraudScoringOptions Pipeline { get; set; } = new();

    /// <summary>Whether to draw the live view while running (a table on a terminal, plain lines when redirected).</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Live { get; set; }
}
