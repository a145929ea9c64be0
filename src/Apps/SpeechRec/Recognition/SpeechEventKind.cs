namespace Flow.Apps.SpeechRec;

/// <summary>What a <see cref="SpeechEvent"/> reports.</summary>
public enum SpeechEventKind
{
    /// <summary>A partial hypothesis while an utterance is being decoded (may change).</summary>
    Partial,

    /// <summary>The final transcript of an utterance.</summary>
    Final,

    /// <summary>A keyword recognised by the keyword network in a short utterance.</summary>
    Keyword,
}
