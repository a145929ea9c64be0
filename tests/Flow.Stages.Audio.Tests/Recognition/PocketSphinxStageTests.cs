namespace Flow.Stages.Audio.Tests.Recognition;

public sealed class PocketSphinxStageTests
{
    [Fact]
    public void Recognize_LibriVoxClip_MostWordsRight()
    {
        using var stage = new PocketSphinxStage();
        stage.Open();
        float[] samples = WavAudio.ReadMono16k(TestAudio.Clip("0930"));

        Transcript t = stage.Recognize(new Utterance("clip", 0, 0, samples));

        // Reference: "he might even have been made amiable himself" (8 words); PocketSphinx gets ≥ 6 right.
        string[] words = t.Text.Split(' ');
        int right = new[] { "he", "might", "even", "have", "been", "made", "amiable", "himself" }.Count(words.Contains);
        Assert.True(right >= 6, t.Text);
        Assert.True(t.IsFinal);
    }

    [Fact]
    public void Recognize_WithPartialCallback_PartialsPrecedeFinalAndGrow()
    {
        var partials = new List<Transcript>();
        using var stage = new PocketSphinxStage(new PocketSphinxOptions { Mode = PocketSphinxMode.Live, PartialInterval = TimeSpan.FromSeconds(0.5) }, partials.Add);
        stage.Open();
        float[] samples = WavAudio.ReadMono16k(TestAudio.Clip("0880"));

        Transcript final = stage.Recognize(new Utterance("clip", 3, 0, samples));

        Assert.NotEmpty(partials);
        Assert.All(partials, p => Assert.False(p.IsFinal));
        Assert.All(partials, p => Assert.Equal(3, p.UtteranceIndex));
        Assert.StartsWith("he was", final.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Recognize_WholeUtteranceMode_NoPartialsAndSameTextFromAnyDecoderHistory()
    {
        var partials = new List<Transcript>();
        using var fresh = new PocketSphinxStage(partial: partials.Add);
        using var used = new PocketSphinxStage();
        fresh.Open();
        used.Open();
        float[] other = WavAudio.ReadMono16k(TestAudio.Clip("0870"));
        float[] samples = WavAudio.ReadMono16k(TestAudio.Clip("0880"));
        _ = used.Recognize(new Utterance("other", 0, 0, other));

        Transcript a = fresh.Recognize(new Utterance("clip", 1, 0, samples));
        Transcript b = used.Recognize(new Utterance("clip", 1, 0, samples));

        Assert.Empty(partials);
        Assert.Equal(a.Text, b.Text);
    }

    [Fact]
    public void Recognize_Silence_EmptyText()
    {
        using var stage = new PocketSphinxStage();
        stage.Open();

        Transcript t = stage.Recognize(new Utterance("silence", 0, 0, new float[16000]));

        Assert.Equal(string.Empty, t.Text);
    }

    [Fact]
    public void Open_MissingModel_NamesFileAndPackage()
    {
        using var stage = new PocketSphinxStage(new PocketSphinxOptions { LanguageModel = "/nope/en-us.lm.bin" });

        var e = Assert.Throws<FileNotFoundException>(stage.Open);

        Assert.Contains("/nope/en-us.lm.bin", e.Message, StringComparison.Ordinal);
        Assert.Contains("pocketsphinx-en-us", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Recognize_NotOpen_Throws()
    {
        using var stage = new PocketSphinxStage();

        Assert.Throws<InvalidOperationException>(() => stage.Recognize(new Utterance("x", 0, 0, new float[10])));
    }
}
