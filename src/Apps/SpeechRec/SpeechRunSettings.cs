namespace Flow.Apps.SpeechRec;

/// <summary>What one <c>flow speech</c> invocation asked for.</summary>
internal sealed class SpeechRunSettings
{
    public IReadOnlyList<string> Inputs { get; init; } = [];

    public bool Stdin { get; init; }

    public bool Realtime { get; init; }

    public int Decoders { get; init; } = 2;

    public SpeechOutputFormat Format { get; init; } = SpeechOutputFormat.Json;

    public bool Partials { get; init; }

    public string? KeywordModel { get; init; }

    public string? VadModel { get; init; }

    public bool Report { get; init; } = true;

    public bool LiveView { get; init; }

    public bool Streaming { get; init; }
}
