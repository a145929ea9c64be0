using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Flow.Apps.SpeechRec;

/// <summary>Writes events as JSON lines or text lines; thread-safe (partials arrive from decoder workers).</summary>
internal sealed class SpeechEventWriter(TextWriter output, SpeechOutputFormat format)
{
    private readonly Lock _lock = new();

    public void Write(SpeechEvent e)
    {
        string line = format == SpeechOutputFormat.Json ? ToJson(e) : ToText(e);
        lock (_lock)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    internal static string ToJson(SpeechEvent e)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", e.Kind.ToString().ToLowerInvariant());
            json.WriteString("source", e.Source);
            json.WriteNumber("utterance", e.UtteranceIndex);
            json.WriteNumber("start", Math.Round(e.Start.TotalSeconds, 3));
            json.WriteNumber("end", Math.Round(e.End.TotalSeconds, 3));
            json.WriteString("text", e.Text);
            if (e.Kind == SpeechEventKind.Keyword)
            {
                json.WriteNumber("confidence", Math.Round(e.Confidence, 3));
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static string ToText(SpeechEvent e)
    {
        string kind = e.Kind.ToString().ToLowerInvariant();
        string confidence = e.Kind == SpeechEventKind.Keyword ? string.Create(CultureInfo.InvariantCulture, $" ({e.Confidence:P0})") : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"[{Clock(e.Start)} → {Clock(e.End)}] {kind,-7} #{e.UtteranceIndex,-3} {Path.GetFileName(e.Source)}: {e.Text}{confidence}");
    }

    private static string Clock(TimeSpan t) => t.ToString(t.TotalHours >= 1 ? @"h\:mm\:ss\.ff" : @"mm\:ss\.ff", CultureInfo.InvariantCulture);
}
