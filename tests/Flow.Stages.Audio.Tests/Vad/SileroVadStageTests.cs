namespace Flow.Stages.Audio.Tests.Vad;

public sealed class SileroVadStageTests : IDisposable
{
    private readonly SileroVadStage _vad = new();

    public SileroVadStageTests() => _vad.Open();

    public void Dispose() => _vad.Dispose();

    private float[] Probabilities(float[] samples, string source = "test")
        => TestAudio.Chunks(samples, source).Select(c => _vad.Process(c).SpeechProbability).ToArray();

    [Fact]
    public void Process_SpeechClip_MostChunksAreSpeech()
    {
        float[] speech = WavAudio.ReadMono16k(TestAudio.Clip("0870"));

        float[] p = Probabilities(speech);

        Assert.True(p.Count(v => v >= 0.5f) > p.Length * 0.6, $"{p.Count(v => v >= 0.5f)} of {p.Length} chunks speech");
    }

    [Fact]
    public void Process_Silence_NoSpeech()
    {
        float[] p = Probabilities(new float[3 * 16000]);

        Assert.All(p, v => Assert.True(v < 0.5f, $"probability {v}"));
    }

    [Fact]
    public void Process_WhiteNoise_NoSpeech()
    {
        float[] p = Probabilities(TestAudio.WhiteNoise(3 * 16000, 0.1f, seed: 7));

        Assert.All(p, v => Assert.True(v < 0.5f, $"probability {v}"));
    }

    [Fact]
    public void Process_StateIsCarried_ResettingEveryChunkChangesTheResult()
    {
        float[] speech = WavAudio.ReadMono16k(TestAudio.Clip("0880"));
        float[] carried = Probabilities(speech);
        float[] reset = TestAudio.Chunks(speech).Select(c =>
        {
            _vad.Reset();
            return _vad.Process(new AudioChunk("test", c.Offset, c.Samples, isLast: true)).SpeechProbability;
        }).ToArray();

        Assert.Equal(carried.Length, reset.Length);
        Assert.True(carried.Zip(reset).Max(p => Math.Abs(p.First - p.Second)) > 0.05f);
    }

    [Fact]
    public void Process_NewSource_StartsFromFreshState()
    {
        float[] speech = WavAudio.ReadMono16k(TestAudio.Clip("0880"));
        float[] first = Probabilities(speech, "a");
        float[] second = Probabilities(speech, "b");

        Assert.Equal(first, second);
    }

    [Fact]
    public void Process_ChunkLongerThan512_Throws()
    {
        Assert.Throws<ArgumentException>(() => _vad.Process(new AudioChunk("x", 0, new float[513], false)));
    }

    [Fact]
    public void Open_MissingModel_SaysHowToFetchIt()
    {
        using var vad = new SileroVadStage(new SileroVadOptions { ModelPath = "/nonexistent/silero.onnx" });

        var e = Assert.Throws<FileNotFoundException>(vad.Open);

        Assert.Contains("/nonexistent/silero.onnx", e.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/setup.sh", e.Message, StringComparison.Ordinal);
    }
}
