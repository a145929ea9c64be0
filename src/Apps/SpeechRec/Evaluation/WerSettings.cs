namespace Flow.Apps.SpeechRec;

/// <summary>What <c>flow speech wer</c> was asked for.</summary>
internal sealed class WerSettings
{
    public string ClipDirectory { get; init; } = LibriVoxClips.DefaultDirectory;

    public int Decoders { get; init; } = 2;

    public bool Partials { get; init; }

    /// <summary>Whether Debian's <c>pocketsphinx_continuous</c> and <c>pocketsphinx_batch</c> run too.</summary>
    public bool Peers { get; init; } = true;

    /// <summary>The <c>pocketsphinx_continuous</c> program (a name on PATH, or a path).</summary>
    public string ContinuousProgram { get; init; } = SpeechEvaluation.ContinuousProgram;

    /// <summary>The <c>pocketsphinx_batch</c> program (a name on PATH, or a path).</summary>
    public string BatchProgram { get; init; } = SpeechEvaluation.BatchProgram;
}
