using System.Collections.Concurrent;
using Flow.Stages.Audio;

namespace Flow.Apps.SpeechRec.Tests.Recognition;

public sealed class SpeechJobTests
{
    private static readonly IReadOnlyList<string> Files = LibriVoxClips.Load().Select(c => c.Path).ToArray();

    private static async Task<List<SpeechEvent>> RunAsync(int decoders, bool partials)
    {
        var events = new ConcurrentQueue<SpeechEvent>();
        SpeechJob job = SpeechJob.Build(
            new WavFileSource(Files),
            new SpeechRecognitionOptions { Decoders = decoders, PartialResults = partials },
            events.Enqueue);
        await job.Pipeline.RunAsync();
        return [.. events];
    }

    [Fact]
    public async Task Run_PoolOfTwo_FinalsInTimeOrderAndSameTextAsOneDecoder()
    {
        // The first clip is the longest (7.1 s) and the second the shortest (3 s): with two decoders the
        // second finishes first, so the output order is the stage's re-ordering, not luck.
        List<SpeechEvent> two = await RunAsync(decoders: 2, partials: false);
        List<SpeechEvent> one = await RunAsync(decoders: 1, partials: false);

        Assert.All(two, e => Assert.Equal(SpeechEventKind.Final, e.Kind));
        Assert.Equal([0, 1, 2, 3, 4], two.Select(e => e.UtteranceIndex));
        Assert.Equal(Files, two.Select(e => e.Source));
        Assert.Equal(one.Select(e => e.Text), two.Select(e => e.Text));
    }

    [Fact]
    public async Task Run_LiveModeWithPartials_PartialsBeforeTheirFinalFinalsInOrder()
    {
        List<SpeechEvent> events = await RunAsync(decoders: 2, partials: true);

        SpeechEvent[] finals = [.. events.Where(e => e.Kind == SpeechEventKind.Final)];
        Assert.Equal([0, 1, 2, 3, 4], finals.Select(e => e.UtteranceIndex));
        Assert.Contains(events, e => e.Kind == SpeechEventKind.Partial);
        foreach (SpeechEvent final in finals)
        {
            int finalAt = events.IndexOf(final);
            Assert.DoesNotContain(events.Skip(finalAt + 1), e => e.Kind == SpeechEventKind.Partial && e.UtteranceIndex == final.UtteranceIndex);
        }
    }

    [Fact]
    public async Task Run_SilenceOnly_NoUtterances()
    {
        string dir = Directory.CreateTempSubdirectory("flow-speech-").FullName;
        try
        {
            string path = Path.Combine(dir, "silence.wav");
            WavAudio.WriteMono16k(path, new float[32000]);
            var events = new ConcurrentQueue<SpeechEvent>();
            SpeechJob job = SpeechJob.Build(new WavFileSource([path]), new SpeechRecognitionOptions(), events.Enqueue);

            Flow.Pipeline.PipelineResult result = await job.Pipeline.RunAsync();

            Assert.Equal(Flow.Pipeline.PipelineOutcome.Completed, result.Outcome);
            Assert.Empty(events);
            Assert.Equal(0, job.Utterances);
            Assert.Equal(2.0, job.AudioDuration.TotalSeconds, 3);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
