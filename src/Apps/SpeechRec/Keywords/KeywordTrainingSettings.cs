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

    /// <summary>The espeak-ng program (a name looked up on PATH, or a path); tests point it at a missing file.</summary>
    public string Synthesizer { get; init; } = EspeakSynthesizer.DefaultProgram;
}
