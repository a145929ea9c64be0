namespace Flow.Apps.SpeechRec;

/// <summary>The command words the keyword network knows (the Speech Commands core set plus digits).</summary>
public static class KeywordVocabulary
{
    /// <summary>The words, in class-index order.</summary>
    public static IReadOnlyList<string> Words { get; } =
    [
        "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go",
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
}
