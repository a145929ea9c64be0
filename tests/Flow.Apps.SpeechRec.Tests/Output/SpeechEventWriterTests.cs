using System.Text.Json;

namespace Flow.Apps.SpeechRec.Tests.Output;

public sealed class SpeechEventWriterTests
{
    [Fact]
    public void ToJson_Final_AllFieldsWithSecondTimestamps()
    {
        var e = new SpeechEvent(SpeechEventKind.Final, "a \"b\".wav", 3, TimeSpan.FromMilliseconds(1234.4), TimeSpan.FromSeconds(5), "hello world");

        JsonElement json = JsonDocument.Parse(SpeechEventWriter.ToJson(e)).RootElement;

        Assert.Equal("final", json.GetProperty("type").GetString());
        Assert.Equal("a \"b\".wav", json.GetProperty("source").GetString());
        Assert.Equal(3, json.GetProperty("utterance").GetInt32());
        Assert.Equal(1.234, json.GetProperty("start").GetDouble(), 3);
        Assert.Equal(5.0, json.GetProperty("end").GetDouble(), 3);
        Assert.Equal("hello world", json.GetProperty("text").GetString());
        Assert.False(json.TryGetProperty("confidence", out _));
    }

    [Fact]
    public void ToText_Keyword_ShowsTimesKindAndConfidence()
    {
        var e = new SpeechEvent(SpeechEventKind.Keyword, "/x/cmd.wav", 0, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(2.25), "stop", 0.93f);

        Assert.Equal("[00:01.50 → 00:02.25] keyword #0   cmd.wav: stop (93%)", SpeechEventWriter.ToText(e).Replace("93 %", "93%", StringComparison.Ordinal));
    }
}
