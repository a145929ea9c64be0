namespace Flow.Pipeline;

/// <summary>The stage that limits a pipeline's throughput, and why it was chosen.</summary>
/// <param name="StageName">The stage.</param>
/// <param name="BusyRatio">Its busy share, 0–1.</param>
/// <param name="Reason">One line explaining the choice.</param>
public sealed record Bottleneck(string StageName, double BusyRatio, string Reason);
