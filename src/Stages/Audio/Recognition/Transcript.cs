namespace Flow.Stages.Audio;

/// <summary>A recognition result for one utterance: a partial hypothesis while decoding, or the final text.</summary>
public sealed class Transcript
{
    /// <summary>Creates a transcript.</summary>
    /// <param name="utterance">The utterance it belongs to.</param>
    /// <param name="text">The recognised words, lower case, separated by single spaces.</param>
    /// <param name="isFinal">Whether this is the final result for the utterance.</param>
    /// <param name="decodeTime">Time spent decoding so far.</param>
    /// <exception cref="ArgumentNullException"><paramref name="utterance"/> or <paramref name="text"/> is null.</exception>
    public Transcript(Utterance utterance, string text, bool isFinal, TimeSpan decodeTime)
    {
        ArgumentNullException.ThrowIfNull(utterance);
        ArgumentNullException.ThrowIfNull(text);
        Source = utterance.Source;
        UtteranceIndex = utterance.Index;
        Start = utterance.Start;
        End = utterance.End;
        Text = text;
        IsFinal = isFinal;
        DecodeTime = decodeTime;
    }

    internal Transcript(string source, int utteranceIndex, TimeSpan start, TimeSpan end, string text, bool isFinal, TimeSpan decodeTime)
    {
        Source = source;
        UtteranceIndex = utteranceIndex;
        Start = start;
        End = end;
        Text = text;
        IsFinal = isFinal;
        DecodeTime = decodeTime;
    }

    /// <summary>The source's name.</summary>
    public string Source { get; }

    /// <summary>The utterance's number within the run (time order).</summary>
    public int UtteranceIndex { get; }

    /// <summary>The utterance's start within the source.</summary>
    public TimeSpan Start { get; }

    /// <summary>The utterance's end within the source.</summary>
    public TimeSpan End { get; }

    /// <summary>The recognised words, lower case, separated by single spaces (empty when none).</summary>
    public string Text { get; }

    /// <summary>Whether this is the final result for the utterance (otherwise a partial hypothesis).</summary>
    public bool IsFinal { get; }

    /// <summary>Time the decoder spent on the utterance (so far, for a partial).</summary>
    public TimeSpan DecodeTime { get; }
}
