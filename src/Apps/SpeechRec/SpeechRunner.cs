using System.Globalization;
using Flow.Pipeline;
using Flow.Stages.Audio;

namespace Flow.Apps.SpeechRec;

/// <summary>Runs the speech job for the CLI: builds the source, prints events, reports, maps failures to exit codes.</summary>
internal static class SpeechRunner
{
    public static async Task<int> RunAsync(SpeechRunSettings settings, Stream stdin, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var sourceOptions = new AudioSourceOptions { Realtime = settings.Realtime };
        ISourceStage<AudioChunk> source;
        try
        {
            if (settings.Stdin)
            {
                source = new PcmStreamSource(stdin, "stdin", sourceOptions);
            }
            else
            {
                if (settings.Inputs.Count == 0)
                {
                    await error.WriteLineAsync("speech: give WAV files or folders, or --stdin for raw S16LE 16 kHz mono PCM").ConfigureAwait(false);
                    return 2;
                }

                source = new WavFileSource(WavFileSource.ExpandInputs(settings.Inputs), sourceOptions);
            }
        }
        catch (AudioInputException e)
        {
            await error.WriteLineAsync($"speech: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        var options = new SpeechRecognitionOptions
        {
            Decoders = settings.Decoders,
            PartialResults = settings.Partials,
            KeywordModelPath = settings.KeywordModel,
            Streaming = settings.Streaming,
        };
        if (settings.VadModel is not null)
        {
            options.Vad.ModelPath = settings.VadModel;
        }

        var writer = new SpeechEventWriter(output, settings.Format);
        TextWriter reportTo = settings.Format == SpeechOutputFormat.Json ? error : output;
        try
        {
            SpeechJob job = SpeechJob.Build(source, options, writer.Write);
            PipelineRun run = job.Pipeline.Start(cancellationToken);
            PipelineResult result = settings.LiveView
                ? await LiveView.RunAsync(run, new LiveViewOptions { Output = error, WriteReport = false }).ConfigureAwait(false)
                : await run.Completion.ConfigureAwait(false);
            if (settings.Report)
            {
                await reportTo.WriteLineAsync(FormatReport(job, result, settings)).ConfigureAwait(false);
            }

            return result.Outcome == PipelineOutcome.Completed ? 0 : 1;
        }
        catch (Exception e) when (Describe(e) is { } message)
        {
            await error.WriteLineAsync($"speech: {message}").ConfigureAwait(false);
            return e is AudioInputException || Find<AudioInputException>(e) is not null ? 2 : 1;
        }
    }

    internal static string FormatReport(SpeechJob job, PipelineResult result, SpeechRunSettings settings)
    {
        double audio = job.AudioDuration.TotalSeconds;
        double wall = result.Elapsed.TotalSeconds;
        TimeSpan[] latencies = job.FinalLatencies.Order().ToArray();
        string latency = latencies.Length == 0
            ? "n/a"
            : string.Create(CultureInfo.InvariantCulture, $"p50 {Percentile(latencies, 0.50).TotalMilliseconds:F0} ms, p99 {Percentile(latencies, 0.99).TotalMilliseconds:F0} ms");
        return result.FormatReport() + Environment.NewLine + string.Create(
            CultureInfo.InvariantCulture,
            $"speech: {audio:F2} s of audio in {wall:F2} s (real-time factor {(audio > 0 ? wall / audio : 0):F3}{(settings.Realtime ? ", paced at real time" : string.Empty)}), {job.Utterances} utterance(s), {(settings.Streaming ? "1 streaming decoder" : $"{settings.Decoders} decoder(s)")}; utterance closed → final transcript: {latency}");
    }

    internal static TimeSpan Percentile(IReadOnlyList<TimeSpan> sorted, double p)
        => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>The one-line message for a failure the user can fix; null for cancellation and for bugs (which the CLI prints whole).</summary>
    internal static string? Describe(Exception e)
    {
        if (e is OperationCanceledException)
        {
            return null;
        }

        if (Find<AudioInputException>(e) is { } input)
        {
            return input.Message;
        }

        Exception root = ErrorMessages.Cause(e);

        // A cause the user can fix is one line; anything else is a bug and goes on to the CLI's handler, which prints it whole.
        return root is IOException or InvalidDataException or DllNotFoundException or Neural.ModelFormatException
            or InvalidOperationException or System.ComponentModel.Win32Exception or ArgumentException or UnauthorizedAccessException
            ? root.Message
            : null;
    }

    private static T? Find<T>(Exception? e)
        where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Count > 0)
            {
                e = aggregate.InnerExceptions[0];
                if (e is T inner)
                {
                    return inner;
                }
            }
        }

        return null;
    }
}
