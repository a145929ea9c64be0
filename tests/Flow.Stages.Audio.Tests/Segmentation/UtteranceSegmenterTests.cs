namespace Flow.Stages.Audio.Tests.Segmentation;

public sealed class UtteranceSegmenterTests
{
    private const int Chunk = 512;

    /// <summary>Feeds chunks with the given probabilities; sample values carry their own index.</summary>
    private static List<Utterance> Run(UtteranceSegmenter segmenter, float[] probabilities, string source = "s", bool markLast = true)
    {
        var utterances = new List<Utterance>();
        for (int i = 0; i < probabilities.Length; i++)
        {
            float[] samples = Enumerable.Range(i * Chunk, Chunk).Select(v => (float)v).ToArray();
            var chunk = new AudioChunk(source, (long)i * Chunk, samples, markLast && i == probabilities.Length - 1);
            utterances.AddRange(segmenter.Push(new VoiceActivity(chunk, probabilities[i])));
        }

        return utterances;
    }

    private static float[] Pattern(params (int Chunks, float Probability)[] runs)
        => runs.SelectMany(r => Enumerable.Repeat(r.Probability, r.Chunks)).ToArray();

    private static UtteranceSegmenterOptions Options(int paddingMs = 96, int minSilenceMs = 320, int minSpeechMs = 96, int maxSeconds = 20) => new()
    {
        Padding = TimeSpan.FromMilliseconds(paddingMs),     // 1536 samples = 3 chunks
        MinSilence = TimeSpan.FromMilliseconds(minSilenceMs), // 5120 samples = 10 chunks
        MinSpeech = TimeSpan.FromMilliseconds(minSpeechMs),
        MaxDuration = TimeSpan.FromSeconds(maxSeconds),
    };

    [Fact]
    public void Push_SpeechBetweenSilences_PaddedBoundaries()
    {
        var segmenter = new UtteranceSegmenter(Options());

        List<Utterance> u = Run(segmenter, Pattern((10, 0.1f), (20, 0.9f), (15, 0.1f)));

        Utterance only = Assert.Single(u);
        Assert.Equal((10 * Chunk) - 1536, only.StartSample);
        Assert.Equal((30 * Chunk) + 1536, only.EndSample);
        Assert.Equal(only.StartSample, only.Samples[0]);
        Assert.Equal(only.EndSample - 1, only.Samples[^1]);
        Assert.Equal(0, only.Index);
    }

    [Fact]
    public void Push_SilenceShorterThanMinSilence_OneUtterance()
    {
        var segmenter = new UtteranceSegmenter(Options());

        List<Utterance> u = Run(segmenter, Pattern((5, 0f), (10, 0.9f), (9, 0.1f), (10, 0.9f), (12, 0f)));

        Utterance only = Assert.Single(u);
        Assert.Equal((5 * Chunk) - 1536, only.StartSample);
        Assert.Equal((34 * Chunk) + 1536, only.EndSample);
    }

    [Fact]
    public void Push_HysteresisBetweenThresholds_KeepsUtteranceOpen()
    {
        var segmenter = new UtteranceSegmenter(Options());

        // 0.4 is below the opening threshold (0.5) but above the release threshold (0.35).
        List<Utterance> u = Run(segmenter, Pattern((5, 0f), (4, 0.9f), (30, 0.4f), (12, 0f)));

        Utterance only = Assert.Single(u);
        Assert.Equal((39 * Chunk) + 1536, only.EndSample);
    }

    [Fact]
    public void Push_TwoUtterances_PaddingNeverOverlaps()
    {
        var segmenter = new UtteranceSegmenter(Options(paddingMs: 320, minSilenceMs: 320));

        List<Utterance> u = Run(segmenter, Pattern((3, 0f), (10, 0.9f), (12, 0f), (10, 0.9f), (12, 0f)));

        Assert.Equal(2, u.Count);
        Assert.Equal(0, u[0].StartSample); // padding clipped at the start of the stream
        Assert.True(u[1].StartSample >= u[0].EndSample);
        Assert.Equal(u[0].EndSample, u[1].StartSample); // 12 chunks of silence < 2 × padding: they meet
        Assert.Equal([0, 1], u.Select(x => x.Index));
    }

    [Fact]
    public void Push_SpeechShorterThanMinSpeech_Dropped()
    {
        var segmenter = new UtteranceSegmenter(Options(minSpeechMs: 250)); // 7.8 chunks

        List<Utterance> u = Run(segmenter, Pattern((10, 0f), (7, 0.9f), (20, 0f), (8, 0.9f), (20, 0f)));

        Utterance only = Assert.Single(u);
        Assert.Equal((37 * Chunk) - 1536, only.StartSample);
        Assert.Equal(0, only.Index);
    }

    [Fact]
    public void Push_LastChunkWhileSpeaking_FlushesAtEndOfSource()
    {
        var segmenter = new UtteranceSegmenter(Options());

        List<Utterance> u = Run(segmenter, Pattern((4, 0f), (20, 0.9f)));

        Utterance only = Assert.Single(u);
        Assert.Equal(24 * Chunk, only.EndSample);
    }

    [Fact]
    public void Push_LongerThanMaxDuration_CutAtQuietestChunkWithoutLosingSamples()
    {
        var segmenter = new UtteranceSegmenter(Options(maxSeconds: 1)); // 16000 samples = 31.25 chunks
        float[] p = Pattern((2, 0f), (60, 0.9f), (12, 0f));
        p[2 + 25] = 0.6f; // the quietest speech chunk in the last third of the first 1 s

        List<Utterance> u = Run(segmenter, p);

        Assert.True(u.Count >= 2);
        Assert.All(u, x => Assert.True(x.Samples.Length <= 16000));
        Assert.Equal(28 * Chunk, u[0].EndSample); // cut right after the quietest chunk (index 27)
        for (int i = 1; i < u.Count; i++)
        {
            Assert.Equal(u[i - 1].EndSample, u[i].StartSample); // contiguous: nothing lost at the cut
        }
    }

    [Fact]
    public void Push_NewSourceWithoutLastMark_ClosesPreviousSource()
    {
        var segmenter = new UtteranceSegmenter(Options());
        List<Utterance> u = Run(segmenter, Pattern((4, 0f), (10, 0.9f)), source: "a", markLast: false);
        Assert.Empty(u);

        u = Run(segmenter, Pattern((20, 0f)), source: "b");

        Utterance only = Assert.Single(u);
        Assert.Equal("a", only.Source);
        Assert.Equal(14 * Chunk, only.EndSample);
    }

    [Fact]
    public void Options_InvalidValues_Throw()
    {
        var o = new UtteranceSegmenterOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => o.Threshold = 1.5f);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.MinSilence = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.Padding = TimeSpan.FromMilliseconds(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => o.MaxDuration = TimeSpan.Zero);
    }
}
