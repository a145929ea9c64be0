namespace Flow.Apps.SpeechRec;

/// <summary>One synthesised (and maybe augmented) word: its features, class and the voice that spoke it.</summary>
internal sealed record KeywordExample(float[] Features, int Label, string Voice);
