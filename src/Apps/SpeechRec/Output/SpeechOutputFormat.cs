namespace Flow.Apps.SpeechRec;

/// <summary>How <c>flow speech</c> prints its events.</summary>
public enum SpeechOutputFormat
{
    /// <summary>One JSON object per line: <c>{"type":"final","source":…,"utterance":0,"start":0.12,"end":3.4,"text":…}</c>.</summary>
    Json,

    /// <summary>Human-readable lines: <c>[00:00.12 → 00:03.40] final  #0  text</c>.</summary>
    Text,
}
