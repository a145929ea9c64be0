using System.Text.Json;
using Flow.Stages.Audio;

namespace Flow.Apps.SpeechRec.Tests.Recognition;

public sealed class SpeechRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flow-speech-runner-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A stream that hands out at most 1000 bytes per read, as a pipe from arecord would.</summary>
    private sealed class PipeLikeStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => base.ReadAsync(buffer[..Math.Min(buffer.Length, 1000)], cancellationToken);
    }

    private static byte[] Pcm(params float[][] parts)
    {
        float[] all = parts.SelectMany(p => p).ToArray();
        var bytes = new byte[all.Length * 2];
        for (int i = 0; i < all.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(2 * i), (short)Math.Clamp(MathF.Round(all[i] * 32768f), short.MinValue, short.MaxValue));
        }

        return bytes;
    }

    [Fact]
    public async Task RunAsync_Stdin_TwoSentencesStreamedToJsonLines()
    {
        IReadOnlyList<(string Path, string Reference)> clips = LibriVoxClips.Load();
        byte[] pcm = Pcm(WavAudio.ReadMono16k(clips[1].Path), new float[16000], WavAudio.ReadMono16k(clips[4].Path));
        var output = new StringWriter();
        var error = new StringWriter();

        int exit = await SpeechRunner.RunAsync(new SpeechRunSettings { Stdin = true, Decoders = 2 }, new PipeLikeStream(pcm), output, error, CancellationToken.None);

        Assert.Equal(0, exit);
        JsonElement[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        JsonElement[] finals = lines.Where(l => l.GetProperty("type").GetString() == "final").ToArray();
        Assert.Equal(2, finals.Length);
        Assert.All(finals, f => Assert.Equal("stdin", f.GetProperty("source").GetString()));
        Assert.Equal([0, 1], finals.Select(f => f.GetProperty("utterance").GetInt32()));
        Assert.True(WordErrorRate.Compute(clips[1].Reference, finals[0].GetProperty("text").GetString()!) < 0.5);
        Assert.True(WordErrorRate.Compute(clips[4].Reference, finals[1].GetProperty("text").GetString()!) < 0.5);
        Assert.True(finals[1].GetProperty("start").GetDouble() > finals[0].GetProperty("end").GetDouble() - 0.001);
        Assert.InRange(finals[1].GetProperty("start").GetDouble(), 3.5, 4.3); // the second sentence starts after 3 s + 1 s of silence
        Assert.Contains("real-time factor", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_StdinStreamingWithPartials_PartialsPrecedeEachFinal()
    {
        IReadOnlyList<(string Path, string Reference)> clips = LibriVoxClips.Load();
        byte[] pcm = Pcm(WavAudio.ReadMono16k(clips[0].Path), new float[16000], WavAudio.ReadMono16k(clips[4].Path));
        var output = new StringWriter();

        int exit = await SpeechRunner.RunAsync(new SpeechRunSettings { Stdin = true, Streaming = true, Partials = true, Report = false }, new PipeLikeStream(pcm), output, new StringWriter(), CancellationToken.None);

        Assert.Equal(0, exit);
        JsonElement[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        string[] types = lines.Select(l => l.GetProperty("type").GetString()!).ToArray();
        int firstFinal = Array.IndexOf(types, "final");
        Assert.Equal(2, types.Count(t => t == "final"));
        Assert.True(firstFinal > 0 && types[..firstFinal].All(t => t == "partial"), string.Join(",", types));
        Assert.Equal([0, 1], lines.Where(l => l.GetProperty("type").GetString() == "final").Select(l => l.GetProperty("utterance").GetInt32()));
        Assert.True(WordErrorRate.Compute(clips[0].Reference, lines[firstFinal].GetProperty("text").GetString()!) < 0.5);
    }

    [Fact]
    public async Task RunAsync_NotAWavFile_OneLineErrorNamingFileExit2()
    {
        string path = Path.Combine(_dir, "song.wav");
        await File.WriteAllTextAsync(path, "ID3 this is an mp3 pretending to be a wav");
        var error = new StringWriter();

        int exit = await SpeechRunner.RunAsync(new SpeechRunSettings { Inputs = [path] }, Stream.Null, new StringWriter(), error, CancellationToken.None);

        Assert.Equal(2, exit);
        string message = error.ToString().TrimEnd();
        Assert.DoesNotContain('\n', message);
        Assert.StartsWith($"speech: '{path}': not a WAV file", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TruncatedWav_OneLineErrorSaysTruncatedExit2()
    {
        string full = Path.Combine(_dir, "full.wav");
        WavAudio.WriteMono16k(full, new float[16000]);
        string path = Path.Combine(_dir, "cut.wav");
        await File.WriteAllBytesAsync(path, (await File.ReadAllBytesAsync(full))[..5000]);
        var error = new StringWriter();

        int exit = await SpeechRunner.RunAsync(new SpeechRunSettings { Inputs = [path] }, Stream.Null, new StringWriter(), error, CancellationToken.None);

        Assert.Equal(2, exit);
        string message = error.ToString().TrimEnd();
        Assert.DoesNotContain('\n', message);
        Assert.StartsWith($"speech: '{path}': truncated", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MissingInput_Exit2()
    {
        string path = Path.Combine(_dir, "none.wav");
        var error = new StringWriter();

        int exit = await SpeechRunner.RunAsync(new SpeechRunSettings { Inputs = [path] }, Stream.Null, new StringWriter(), error, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Equal($"speech: '{path}': no such file or folder", error.ToString().TrimEnd());
    }

    [Fact]
    public async Task RunAsync_MissingKeywordModel_SaysHowToTrainExit1()
    {
        IReadOnlyList<(string Path, string Reference)> clips = LibriVoxClips.Load();
        var error = new StringWriter();

        int exit = await SpeechRunner.RunAsync(new SpeechRunSettings { Inputs = [clips[1].Path], KeywordModel = Path.Combine(_dir, "kw.model") }, Stream.Null, new StringWriter(), error, CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.Contains("train-keywords", error.ToString(), StringComparison.Ordinal);
    }
}
