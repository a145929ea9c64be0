namespace Flow.Apps.SpeechRec;

/// <summary>What <c>flow speech train-keywords</c> was asked for.</summary>
internal sealed class KeywordTrainingSettings
{
    public string OutputDirectory { get; init; } = "runs/keywords";

    public int Epochs { get; init; } = 12;

    public int AugmentedCopies { get; init; } = 2;

    public int Seed { get; init; } = 1;

    public bool Quick { get; init; }

    public string? CacheDirectory { get; init; }
}
