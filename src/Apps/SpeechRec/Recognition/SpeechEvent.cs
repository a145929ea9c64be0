using Flow.Stages.Audio;

namespace Flow.Apps.SpeechRec;

/// <summary>One line of the live transcript: a partial or final transcript, or a keyword.</summary>
public sealed class SpeechEvent
{
    /// <summary>Creates an event.</summary>
    /// <param name="kind">What it reports.</param>
    /// <param name="source">The source's name.</param>
    /// <param name="utteranceIndex">The utterance's number within the run.</param>
    /// <param name="start">The utterance's start within the source.</param>
    /// <param name="end">The utterance's end within the source.</param>
    /// <param name="text">The words, or the keyword.</param>
    /// <param name="confidence">The keyword's probability; 1 for transcripts, which carry none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="text"/> is null.</exception>
    public SpeechEvent(SpeechEventKind kind, string source, int utteranceIndex, TimeSpan start, TimeSpan end, string text, float confidence = 1f)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(text);
        Kind = kind;
        Source = source;
        UtteranceIndex = utteranceIndex;
        Start = start;
        End = end;
        Text = text;
        Confidence = confidence;
    }

    /// <summary>What the event reports.</summary>
    public SpeechEventKind Kind { get; }

    /// <summary>The source's name (a file path, or <c>stdin</c>).</summary>
    public string Source { get; }

    /// <summary>The utterance's number within the run (time order).</summary>
    public int UtteranceIndex { get; }

    /// <summary>The utterance's start within the source.</summary>
    public TimeSpan Start { get; }

    /// <summary>The utterance's end within the source.</summary>
    public TimeSpan End { get; }

    /// <summary>The words (lower case), or the keyword.</summary>
    public string Text { get; }

    /// <summary>The keyword's probability; 1 for transcripts.</summary>
    public float Confidence { get; }

    /// <summary>Makes an event from a transcript.</summary>
    /// <param name="transcript">The transcript.</param>
    /// <returns>A <see cref="SpeechEventKind.Partial"/> or <see cref="SpeechEventKind.Final"/> event.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="transcript"/> is null.</exception>
    public static SpeechEvent FromTranscript(Transcript transcript)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        return new SpeechEvent(
            transcript.IsFinal ? SpeechEventKind.Final : SpeechEventKind.Partial,
            transcript.Source,
            transcript.UtteranceIndex,
            transcript.Start,
            transcript.End,
            transcript.Text);
    }
}
