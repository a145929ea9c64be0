using System.Collections.Concurrent;
using Flow.Pipeline;
using Flow.Stages.Audio;

namespace Flow.Apps.SpeechRec;

/// <summary>
/// The speech-recognition graph, built and ready to run: audio chunks → Silero VAD → utterance segmenter
/// → (broadcast) PocketSphinx decoder pool, re-ordered by time [and the keyword network] → events.
/// Collects what the end-of-run report needs: audio duration and the latency from the moment an
/// utterance is closed by the segmenter to its final transcript.
/// </summary>
public sealed class SpeechJob
{
    private readonly ConcurrentDictionary<int, long> _closedAt = new();
    private readonly ConcurrentBag<TimeSpan> _finalLatencies = [];
    private readonly TimeProvider _clock;
    private long _audioSamples;
    private int _utterances;

    private SpeechJob(TimeProvider clock) => _clock = clock;

    /// <summary>The pipeline; run it once.</summary>
    public Flow.Pipeline.Pipeline Pipeline { get; private set; } = null!;

    /// <summary>Audio that has entered the VAD so far.</summary>
    public TimeSpan AudioDuration => SpeechAudio.ToTime(Interlocked.Read(ref _audioSamples));

    /// <summary>Utterances the segmenter has closed so far.</summary>
    public int Utterances => Volatile.Read(ref _utterances);

    /// <summary>For each final transcript: time from the segmenter closing the utterance to the transcript's output.</summary>
    public IReadOnlyList<TimeSpan> FinalLatencies => [.. _finalLatencies];

    private void Deliver(SpeechEvent e, Action<SpeechEvent> onEvent)
    {
        if (e.Kind == SpeechEventKind.Final && _closedAt.TryRemove(e.UtteranceIndex, out long closed))
        {
            _finalLatencies.Add(_clock.GetElapsedTime(closed));
        }

        onEvent(e);
    }

    /// <summary>Builds the graph.</summary>
    /// <param name="source">The audio source (files, stdin).</param>
    /// <param name="options">Pool size, models, segmenter.</param>
    /// <param name="onEvent">Receives every event; called from several threads for partials, so it must be thread-safe.</param>
    /// <param name="pipelineOptions">Name and clock of the pipeline; <see langword="null"/> for the defaults.</param>
    /// <returns>The job.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">Streaming and a keyword model were both asked for.</exception>
    public static SpeechJob Build(ISourceStage<AudioChunk> source, SpeechRecognitionOptions options, Action<SpeechEvent> onEvent, PipelineOptions? pipelineOptions = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onEvent);
        SpeechRecognitionOptions o = options.Clone();
        if (o.PartialResults)
        {
            o.Recognizer.Mode = PocketSphinxMode.Live;
        }
        pipelineOptions ??= new PipelineOptions { Name = "speech" };
        var job = new SpeechJob(pipelineOptions.TimeProvider);
        var builder = new PipelineBuilder(pipelineOptions);

        if (o.Streaming && o.KeywordModelPath is not null)
        {
            throw new ArgumentException("streaming recognition has no keyword branch; drop the keyword model or streaming", nameof(options));
        }

        var segmenter = new UtteranceSegmenter(o.Segmenter);
        StageHandle<VoiceActivity> activity = builder.From(source, "audio")
            .Then(new SileroVadStage(o.Vad), new StageOptions { Name = "vad", BoundedCapacity = 256 });
        if (o.Streaming)
        {
            Action<Transcript>? streamPartial = o.PartialResults ? t => onEvent(SpeechEvent.FromTranscript(t)) : null;
            activity
                .Then(
                    a =>
                    {
                        Interlocked.Add(ref job._audioSamples, a.Chunk.Samples.Length);
                        return a;
                    },
                    new StageOptions { Name = "count" })
                .Then(
                    new StreamingPocketSphinxStage(o.Segmenter, o.Recognizer, streamPartial, u =>
                    {
                        job._closedAt[u.Index] = job._clock.GetTimestamp();
                        Interlocked.Increment(ref job._utterances);
                    }),
                    new StageOptions { Name = "recognize-streaming", BoundedCapacity = 256 })
                .ThenMany(finals => finals, new StageOptions { Name = "finals" })
                .Then(SpeechEvent.FromTranscript, new StageOptions { Name = "transcript" })
                .To(e => job.Deliver(e, onEvent), new StageOptions { Name = "output" });
            job.Pipeline = builder.Build();
            return job;
        }

        StageHandle<Utterance> utterances = activity
            .ThenMany(
                activity =>
                {
                    Interlocked.Add(ref job._audioSamples, activity.Chunk.Samples.Length);
                    IReadOnlyList<Utterance> closed = segmenter.Push(activity);
                    foreach (Utterance u in closed)
                    {
                        job._closedAt[u.Index] = job._clock.GetTimestamp();
                        Interlocked.Increment(ref job._utterances);
                    }

                    return closed;
                },
                new StageOptions { Name = "segment", BoundedCapacity = 256 });

        Action<Transcript>? partial = o.PartialResults ? t => onEvent(SpeechEvent.FromTranscript(t)) : null;
        var recognizerOptions = new StageOptions
        {
            Name = "recognize",
            MaxDegreeOfParallelism = o.Decoders,
            BoundedCapacity = Math.Max(4, 2 * o.Decoders),
            EnsureOrdered = true,
        };

        StageHandle<SpeechEvent> events;
        if (o.KeywordModelPath is null)
        {
            events = utterances
                .Then(() => new PocketSphinxStage(o.Recognizer, partial), recognizerOptions)
                .Then(SpeechEvent.FromTranscript, new StageOptions { Name = "transcript" });
        }
        else
        {
            StageHandle<Utterance>[] branches = utterances.Broadcast(2, new StageOptions { Name = "fan-out" });
            StageHandle<SpeechEvent> finals = branches[0]
                .Then(() => new PocketSphinxStage(o.Recognizer, partial), recognizerOptions)
                .Then(SpeechEvent.FromTranscript, new StageOptions { Name = "transcript" });
            StageHandle<SpeechEvent> keywords = branches[1]
                .ThenMany(KeywordSpotterStageFactory.Create(o), new StageOptions { Name = "keywords" });
            events = builder.Merge(new StageOptions { Name = "merge" }, finals, keywords);
        }

        events.To(e => job.Deliver(e, onEvent), new StageOptions { Name = "output" });

        job.Pipeline = builder.Build();
        return job;
    }
}
