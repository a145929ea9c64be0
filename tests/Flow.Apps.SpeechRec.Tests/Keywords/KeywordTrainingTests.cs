using System.Collections.Concurrent;
using Flow.Stages.Audio;

namespace Flow.Apps.SpeechRec.Tests.Keywords;

/// <summary>Trains a tiny keyword network once (4 words, 8 voices, a few seconds) for the tests below.</summary>
public sealed class TinyKeywordModelFixture
{
    public static readonly string[] Words = ["yes", "no", "stop", "six"];

    public TinyKeywordModelFixture()
    {
        (IReadOnlyList<string> train, IReadOnlyList<string> test) = KeywordDataset.SplitVariants(EspeakSynthesizer.Variants, holdOutEvery: 5);
        Plan = new KeywordTrainingPlan(Words, [.. train.Take(10)], [.. test.Take(3)], ["en-us", "en-gb"], 1, 2, AugmentedCopies: 1, Epochs: 12, Seed: 5);
        Outcome = KeywordTraining.TrainAsync(Plan, TextWriter.Null, CancellationToken.None).GetAwaiter().GetResult();
    }

    internal KeywordTrainingPlan Plan { get; }

    internal KeywordTraining.Outcome Outcome { get; }
}

public sealed class KeywordTrainingTests(TinyKeywordModelFixture fixture) : IClassFixture<TinyKeywordModelFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flow-keywords-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Train_TinyPlan_HeldOutVoicesMostlyRight()
    {
        Assert.Empty(fixture.Plan.TrainVariants.Intersect(fixture.Plan.TestVariants));
        Assert.Equal(3 * 2 * 4, fixture.Outcome.TestExamples);
        Assert.Equal(10 * 1 * 4 * 2, fixture.Outcome.TrainExamples);

        // Chance is 25 %; measured 100 % (24/24). The full run (20 words, 62 voices) is measured by 'flow speech train-keywords'.
        Assert.True(fixture.Outcome.Accuracy >= 0.875, KeywordTraining.FormatMetrics(fixture.Outcome, fixture.Plan));
    }

    [Fact]
    public void SaveLoad_RoundTrip_SameClassification()
    {
        string path = Path.Combine(_dir, "kw.model");
        fixture.Outcome.Model.Save(path);
        KeywordModel loaded = KeywordModel.Load(path);
        float[] stop = EspeakSynthesizer.Speak("stop", "en-us", fixture.Plan.TestVariants[0], 160, 50, _dir);

        Assert.Equal(TinyKeywordModelFixture.Words, loaded.Labels);
        Assert.Equal(fixture.Outcome.Model.Classify(stop), loaded.Classify(stop));
    }

    [Fact]
    public async Task SpeechJob_KeywordBranch_ReportsSpokenCommandAlongsideTranscript()
    {
        string model = Path.Combine(_dir, "kw.model");
        fixture.Outcome.Model.Save(model);
        // The branch must hand the network the same word the model sees when called directly: the
        // segmenter's padding and the VAD must not change the answer.
        float[] word = EspeakSynthesizer.Speak("stop", "en-us", fixture.Plan.TrainVariants[0], 150, 50, _dir);
        (string direct, _) = fixture.Outcome.Model.Classify(word);
        string wav = Path.Combine(_dir, "command.wav");
        WavAudio.WriteMono16k(wav, [.. new float[8000], .. word, .. new float[16000]]);
        var events = new ConcurrentQueue<SpeechEvent>();

        SpeechJob job = SpeechJob.Build(new WavFileSource([wav]), new SpeechRecognitionOptions { KeywordModelPath = model, KeywordThreshold = 0f }, events.Enqueue);
        await job.Pipeline.RunAsync();

        SpeechEvent keyword = Assert.Single(events, e => e.Kind == SpeechEventKind.Keyword);
        Assert.Equal(direct, keyword.Text);
        Assert.InRange(keyword.Start.TotalSeconds, 0.1, 0.9); // the word starts after 0.5 s of silence; 300 ms of padding before it
        Assert.Single(events, e => e.Kind == SpeechEventKind.Final);
        Assert.Contains("keywords", job.Pipeline.StageNames);
    }

    [Fact]
    public void Confusion_PngWritten()
    {
        string png = Path.Combine(_dir, "confusion.png");

        ConfusionMatrixPlot.Save(png, fixture.Outcome.Confusion, TinyKeywordModelFixture.Words, "test");

        byte[] header = File.ReadAllBytes(png)[..8];
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, header);
    }

    [Fact]
    public async Task RunAsync_SynthesizerMissing_OneLineNamingItAndExit1BeforeAnyOutput()
    {
        string outputDirectory = Path.Combine(_dir, "out");
        var settings = new KeywordTrainingSettings { Quick = true, OutputDirectory = outputDirectory, Synthesizer = "/nonexistent/espeak-ng" };
        var output = new StringWriter();
        var error = new StringWriter();

        int exit = await KeywordTraining.RunAsync(settings, output, error, CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.Equal("flow speech train-keywords: espeak-ng not found at '/nonexistent/espeak-ng' (apt-get install espeak-ng, or run scripts/setup.sh)" + Environment.NewLine, error.ToString());
        Assert.Empty(output.ToString());
        Assert.False(Directory.Exists(outputDirectory));
    }

    [Fact]
    public async Task RunAsync_EspeakFailsInsideTheSynthesisPipeline_OneLineNamingWordAndVoiceNotTheStage()
    {
        // espeak-ng is there but knows no accent "xx-nope": the failure happens in a synthesis worker, so it reaches
        // the run wrapped in the pipeline's StageFailedException.
        var plan = new KeywordTrainingPlan(["yes"], ["adam"], ["Andy"], ["xx-nope"], 1, 1, AugmentedCopies: 0, Epochs: 1, Seed: 1);
        var settings = new KeywordTrainingSettings { OutputDirectory = Path.Combine(_dir, "out") };
        var error = new StringWriter();

        int exit = await KeywordTraining.RunAsync(plan, settings, TextWriter.Null, error, CancellationToken.None);

        Assert.Equal(1, exit);
        string line = Assert.Single(error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("flow speech train-keywords: espeak-ng -v xx-nope+adam 'yes' failed (exit code 1): ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("stage '", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CacheFileCutShort_OneLineNamingItAndExit2()
    {
        // One clip for training, one for testing: the first run writes two cache files, then each is cut in half.
        var plan = new KeywordTrainingPlan(["yes"], ["adam"], ["Andy"], ["en-us"], 1, 1, AugmentedCopies: 0, Epochs: 1, Seed: 1);
        string cache = Path.Combine(_dir, "cache");
        await KeywordDataset.BuildAsync(KeywordDataset.Plan(plan.Words, plan.TrainVariants, plan.Accents, 1, 0, plan.Seed), CancellationToken.None, cache);
        string file = Assert.Single(Directory.GetFiles(cache));
        byte[] bytes = await File.ReadAllBytesAsync(file);
        await File.WriteAllBytesAsync(file, bytes[..(bytes.Length / 2)]);
        var error = new StringWriter();

        int exit = await KeywordTraining.RunAsync(plan, new KeywordTrainingSettings { OutputDirectory = Path.Combine(_dir, "out"), CacheDirectory = cache }, TextWriter.Null, error, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Equal($"flow speech train-keywords: keyword cache '{file}' is damaged (it declares 1 examples but holds {bytes.Length / 2} bytes): delete it and run again to synthesise the set anew" + Environment.NewLine, error.ToString());
    }
}
