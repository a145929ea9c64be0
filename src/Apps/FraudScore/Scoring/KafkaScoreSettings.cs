using Flow.Apps.FraudScore.Models;

namespace Flow.Apps.FraudScore.Scoring;

/// <summary>Settings of <c>flow fraud score --kafka</c>.</summary>
public sealed class KafkaScoreSettings
{
    /// <summary>The brokers, <c>host:port</c>.</summary>
    /// <value>The default is <c>127.0.0.1:9092</c>.</value>
    public string BootstrapServers { get; set; } = "127.0.0.1:9092";

    /// <summary>The topic of transactions (JSON, keyed by card).</summary>
    /// <value>The default is <c>tx</c>.</value>
    public string Topic { get; set; } = "tx";

    /// <summary>The consumer group; several processes in one group share the partitions.</summary>
    /// <value>The default is <c>fraud-score</c>.</value>
    public string Group { get; set; } = "fraud-score";

    /// <summary>The topic alerts are produced to.</summary>
    /// <value>The default is <c>alerts</c>.</value>
    public string AlertsTopic { get; set; } = "alerts";

    /// <summary>A topic every score is produced to.</summary>
    /// <value>The default is <see langword="null"/>: scores are not produced, only alerts.</value>
    public string? ScoresTopic { get; set; }

    /// <summary>The model folder written by <c>flow fraud train</c>.</summary>
    /// <value>The default is <c>models/fraud</c>.</value>
    public string ModelFolder { get; set; } = "models/fraud";

    /// <summary>Which model to score with.</summary>
    /// <value>The default is <see cref="FraudModelKind.LightGbm"/>.</value>
    public string ModelKind { get; set; } = FraudModelKind.LightGbm;

    /// <summary>The runtime that serves a tree model (<see cref="FraudScoringEngine"/>).</summary>
    /// <value>The default is <see cref="FraudScoringEngine.Onnx"/> (faster than ML.NET's PredictionEngine in docs/FRAUD.md, equal scores within 1e-5).</value>
    public string Engine { get; set; } = FraudScoringEngine.Onnx;

    /// <summary>Overrides the model's alert threshold.</summary>
    /// <value>The default is <see langword="null"/>: the threshold chosen at training.</value>
    public float? Threshold { get; set; }

    /// <summary>Stop after this many records.</summary>
    /// <value>The default is <see langword="null"/>: run until stopped.</value>
    public long? MaxRecords { get; set; }

    /// <summary>Stop after this long without records.</summary>
    /// <value>The default is <see langword="null"/>: run until stopped.</value>
    public TimeSpan? IdleExit { get; set; }

    /// <summary>The group session timeout in milliseconds.</summary>
    /// <value>The default is 6000.</value>
    public int SessionTimeoutMs { get; set; } = 6000;

    /// <summary>Consume at most this many records per second.</summary>
    /// <value>The default is <see langword="null"/>: no limit.</value>
    public double? MaxRate { get; set; }

    /// <summary>Whether to draw the live view while running.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Live { get; set; }

    /// <summary>Parallelism and batching.</summary>
    /// <value>The default is <see cref="FraudScoringOptions"/>' defaults.</value>
    public FraudScoringOptions Pipeline { get; set; } = new();
}
