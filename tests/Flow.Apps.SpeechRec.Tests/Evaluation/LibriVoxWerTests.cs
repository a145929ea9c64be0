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
}
