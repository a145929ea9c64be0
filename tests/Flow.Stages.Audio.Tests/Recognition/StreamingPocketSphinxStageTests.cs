namespace Flow.Stages.Audio.Tests.Recognition;

public sealed class StreamingPocketSphinxStageTests
{
    [Fact]
    public void Process_SpeechClip_PartialsWhileSpeakingThenFinalAtClose()
    {
        var partials = new List<(Transcript Partial, long FedChunks)>();
        long chunksSeen = 0;
        using var vad = new SileroVadStage();
        vad.Open();
        using var stage = new StreamingPocketSphinxStage(partial: t => partials.Add((t, chunksSeen)));
        stage.Open();
        float[] clip = WavAudio.ReadMono16k(TestAudio.Clip("0870")); // 7.1 s
        var finals = new List<(Transcript Final, long Chunk)>();

        foreach (AudioChunk chunk in TestAudio.Chunks(clip))
        {
            chunksSeen++;
            finals.AddRange(stage.Process(vad.Process(chunk)).Select(f => (f, chunksSeen)));
        }

        (Transcript final, long closedAt) = Assert.Single(finals);
        Assert.True(final.IsFinal);
        Assert.Equal(0, final.UtteranceIndex);
        Assert.Contains("leisure to consider", final.Text, StringComparison.Ordinal);

        // Partials came while the clip was still being fed, and grew.
        Assert.True(partials.Count >= 4, $"{partials.Count} partials");
        Assert.All(partials, p => Assert.True(p.FedChunks < closedAt));
        Assert.All(partials, p => Assert.Equal(0, p.Partial.UtteranceIndex));
        Assert.True(partials[^1].Partial.End > partials[0].Partial.End);
    }

    [Fact]
    public void Process_UtteranceDroppedForTooLittleSpeech_NextUtteranceDecodedFromItsOwnStart()
    {
        using var stage = new StreamingPocketSphinxStage(new UtteranceSegmenterOptions { MinSpeech = TimeSpan.FromMilliseconds(250) });
        stage.Open();
        float[] speech = WavAudio.ReadMono16k(TestAudio.Clip("0930"));
        float[] p = [.. Enumerable.Repeat(0f, 10), .. Enumerable.Repeat(0.9f, 3), .. Enumerable.Repeat(0f, 30), .. Enumerable.Repeat(0.9f, 60), .. Enumerable.Repeat(0f, 20)];
        var finals = new List<Transcript>();

        for (int i = 0; i < p.Length; i++)
        {
            float[] samples = speech.AsSpan((i * 512) % (speech.Length - 512), 512).ToArray();
            finals.AddRange(stage.Process(new VoiceActivity(new AudioChunk("s", i * 512L, samples, i == p.Length - 1), p[i])));
        }

        Transcript only = Assert.Single(finals);
        Assert.Equal(0, only.UtteranceIndex);
        Assert.Equal(SpeechAudio.ToTime((43 * 512) - 4800), only.Start);
    }
}
