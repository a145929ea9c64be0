namespace Flow.Cli.Train;

/// <summary>The figures of one training epoch.</summary>
internal sealed record EpochResult(int Epoch, float TrainLoss, float TestLoss, float TestAccuracy, double Seconds);
