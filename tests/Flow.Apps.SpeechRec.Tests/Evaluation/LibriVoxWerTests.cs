namespace Flow.Apps.SpeechRec.Tests.Evaluation;

/// <summary>The full pipeline on the five LibriVox clips of Debian's pocketsphinx-testdata.</summary>
public sealed class LibriVoxWerTests
{
    private static readonly IReadOnlyList<(string Path, string Reference)> Clips = LibriVoxClips.Load();

    [Fact]
    public void Load_FiveClipsWithReferences()
    {
        Assert.Equal(5, Clips.Count);
        Assert.Equal("he was not an ill disposed young man", Clips[1].Reference);
    }

    [Fact]
    public async Task RunFlow_LibriVoxClips_WerBelow35PercentAndWithin2PointsOfPocketSphinxBatch()
    {
        var options = new SpeechRecognitionOptions { Decoders = 2, PartialResults = false };

        (SpeechEvaluation.Outcome flow, SpeechJob job, _) = await SpeechEvaluation.RunFlowAsync(Clips, options, null, CancellationToken.None);
        SpeechEvaluation.Outcome batch = await SpeechEvaluation.RunBatchAsync(Clips, options.Recognizer, CancellationToken.None);

        // Measured: flow 29.6 %, pocketsphinx_batch (same engine, whole files) 28.2 %.
        Assert.True(flow.Wer < 0.35, SpeechEvaluation.Format(flow));
        Assert.True(flow.Wer <= batch.Wer + 0.02, $"{SpeechEvaluation.Format(flow)} vs {SpeechEvaluation.Format(batch)}");
        Assert.Equal(5, job.Utterances);
        Assert.Equal(24.73, job.AudioDuration.TotalSeconds, 2);
    }

    [Fact]
    public async Task RunCli_ProgramMissing_ThrowsNamingItWithTheInstallHint()
    {
        var ex = await Assert.ThrowsAsync<ExternalToolException>(
            () => SpeechEvaluation.RunCliAsync(Clips, new Flow.Stages.Audio.PocketSphinxOptions(), CancellationToken.None, "/nonexistent/pocketsphinx_continuous"));

        Assert.Equal("pocketsphinx_continuous not found at '/nonexistent/pocketsphinx_continuous' (apt-get install pocketsphinx, or run scripts/setup.sh)", ex.Message);
    }

    [Fact]
    public async Task RunBatch_ProgramMissing_ThrowsNamingItWithTheInstallHint()
    {
        var ex = await Assert.ThrowsAsync<ExternalToolException>(
            () => SpeechEvaluation.RunBatchAsync(Clips, new Flow.Stages.Audio.PocketSphinxOptions(), CancellationToken.None, "/nonexistent/pocketsphinx_batch"));

        Assert.Equal("pocketsphinx_batch not found at '/nonexistent/pocketsphinx_batch' (apt-get install pocketsphinx, or run scripts/setup.sh)", ex.Message);
    }
}
