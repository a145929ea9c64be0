using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Flow.Pipeline;
using Flow.Stages.Audio;

namespace Flow.Apps.SpeechRec;

/// <summary>
/// WER and speed of Flow's pipeline and of Debian's <c>pocketsphinx_continuous</c> tool on the same
/// clips and models.
/// </summary>
internal static class SpeechEvaluation
{
    internal sealed record Outcome(string System, double Wer, int Errors, int ReferenceWords, double AudioSeconds, double WallSeconds, IReadOnlyDictionary<string, string> Hypotheses)
    {
        public double RealTimeFactor => AudioSeconds > 0 ? WallSeconds / AudioSeconds : 0;
    }

    /// <summary>Transcribes the clips through the full Flow pipeline (one run, all clips) and scores them.</summary>
    public static async Task<(Outcome Outcome, SpeechJob Job, PipelineResult Result)> RunFlowAsync(
        IReadOnlyList<(string Path, string Reference)> clips,
        SpeechRecognitionOptions options,
        Action<SpeechEvent>? onEvent,
        CancellationToken cancellationToken)
    {
        var finals = new ConcurrentQueue<SpeechEvent>();
        var source = new WavFileSource([.. clips.Select(c => c.Path)]);
        SpeechJob job = SpeechJob.Build(
            source,
            options,
            e =>
            {
                if (e.Kind == SpeechEventKind.Final)
                {
                    finals.Enqueue(e);
                }

                onEvent?.Invoke(e);
            },
            new PipelineOptions { Name = "speech" });
        var stopwatch = Stopwatch.StartNew();
        PipelineResult result = await job.Pipeline.RunAsync(cancellationToken).ConfigureAwait(false);
        stopwatch.Stop();
        // A clip listed twice (benchmarks repeat the set) gets one entry holding both passes' words.
        var hypotheses = clips.DistinctBy(c => c.Path).ToDictionary(
            c => c.Path,
            c => string.Join(' ', finals.Where(f => f.Source == c.Path).OrderBy(f => f.UtteranceIndex).Select(f => f.Text).Where(t => t.Length > 0)),
            StringComparer.Ordinal);
        return (Score("flow", clips, hypotheses, job.AudioDuration.TotalSeconds, stopwatch.Elapsed.TotalSeconds), job, result);
    }

    /// <summary>The peer tools' names, looked up on PATH.</summary>
    public const string ContinuousProgram = "pocketsphinx_continuous";

    /// <inheritdoc cref="ContinuousProgram"/>
    public const string BatchProgram = "pocketsphinx_batch";

    /// <summary>Transcribes each clip with <c>pocketsphinx_continuous -infile</c> (one process per clip, one at a time).</summary>
    /// <exception cref="ExternalToolException"><paramref name="program"/> cannot be started (not installed) or failed on a clip.</exception>
    public static async Task<Outcome> RunCliAsync(
        IReadOnlyList<(string Path, string Reference)> clips, PocketSphinxOptions models, CancellationToken cancellationToken, string program = ContinuousProgram)
    {
        var hypotheses = new Dictionary<string, string>(StringComparer.Ordinal);
        double audio = 0;
        var stopwatch = Stopwatch.StartNew();
        foreach ((string path, _) in clips)
        {
            audio += WavAudio.ReadMono16k(path).Length / (double)SpeechAudio.SampleRate;
            var start = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string arg in new[] { "-infile", path, "-hmm", models.AcousticModel, "-lm", models.LanguageModel, "-dict", models.Dictionary, "-logfn", "/dev/null" })
            {
                start.ArgumentList.Add(arg);
            }

            using Process process = Start(start, ContinuousProgram);
            Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            string stdout = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            ThrowIfFailed(process, await stderr.ConfigureAwait(false), $"{ContinuousProgram} -infile '{path}'");
            hypotheses[path] = string.Join(' ', stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        stopwatch.Stop();
        return Score("pocketsphinx_continuous", clips, hypotheses, audio, stopwatch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Transcribes all clips with <c>pocketsphinx_batch</c> (one process; each file decoded as one
    /// utterance, no endpointing): the same engine without any segmentation.
    /// </summary>
    /// <exception cref="ExternalToolException"><paramref name="program"/> cannot be started (not installed) or failed.</exception>
    /// <exception cref="ArgumentException"><paramref name="clips"/> is empty.</exception>
    public static async Task<Outcome> RunBatchAsync(
        IReadOnlyList<(string Path, string Reference)> clips, PocketSphinxOptions models, CancellationToken cancellationToken, string program = BatchProgram)
    {
        if (clips.Count == 0)
        {
            throw new ArgumentException("no clips to decode", nameof(clips));
        }

        string directory = Path.GetDirectoryName(Path.GetFullPath(clips[0].Path))!;
        string work = Directory.CreateTempSubdirectory("flow-speech-batch-").FullName;
        try
        {
            string ctl = Path.Combine(work, "fileids");
            string hyp = Path.Combine(work, "out.hyp");
            await File.WriteAllLinesAsync(ctl, clips.Select(c => Path.GetFileNameWithoutExtension(c.Path)), cancellationToken).ConfigureAwait(false);
            double audio = clips.Sum(c => WavAudio.ReadMono16k(c.Path).Length / (double)SpeechAudio.SampleRate);
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string arg in new[] { "-adcin", "yes", "-cepdir", directory, "-cepext", ".wav", "-ctl", ctl, "-hyp", hyp, "-hmm", models.AcousticModel, "-lm", models.LanguageModel, "-dict", models.Dictionary, "-logfn", "/dev/null" })
            {
                start.ArgumentList.Add(arg);
            }

            var stopwatch = Stopwatch.StartNew();
            using (Process process = Start(start, BatchProgram))
            {
                Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
                _ = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                ThrowIfFailed(process, await stderr.ConfigureAwait(false), $"{BatchProgram} on {clips.Count} clip(s) of '{directory}'");
            }

            stopwatch.Stop();
            var hypotheses = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string line in await File.ReadAllLinesAsync(hyp, cancellationToken).ConfigureAwait(false))
            {
                int open = line.LastIndexOf('(');
                if (open < 0)
                {
                    continue;
                }

                string id = line[(open + 1)..].Split(' ')[0].TrimEnd(')');
                string? path = clips.FirstOrDefault(c => Path.GetFileNameWithoutExtension(c.Path) == id).Path;
                if (path is not null)
                {
                    hypotheses[path] = line[..open].Trim();
                }
            }

            return Score("pocketsphinx_batch", clips, hypotheses, audio, stopwatch.Elapsed.TotalSeconds);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Starts a peer tool; without shell execution a missing binary throws rather than returning null.</summary>
    private static Process Start(ProcessStartInfo start, string defaultProgram)
    {
        try
        {
            return Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw ExternalToolException.NotFound(start.FileName, defaultProgram, "pocketsphinx", e);
        }
    }

    /// <summary>A tool that exits non-zero: its last line on stderr says why (with <c>-logfn /dev/null</c> often nothing).</summary>
    private static void ThrowIfFailed(Process process, string stderr, string what)
    {
        if (process.ExitCode != 0)
        {
            string last = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no message";
            throw new ExternalToolException($"{what} failed (exit code {process.ExitCode}): {last}");
        }
    }

    public static Outcome Score(string system, IReadOnlyList<(string Path, string Reference)> clips, IReadOnlyDictionary<string, string> hypotheses, double audioSeconds, double wallSeconds)
    {
        int errors = 0;
        int words = 0;
        foreach ((string path, string reference) in clips)
        {
            IReadOnlyList<string> r = WordErrorRate.Words(reference);
            errors += WordErrorRate.Errors(r, WordErrorRate.Words(hypotheses.GetValueOrDefault(path, string.Empty)));
            words += r.Count;
        }

        return new Outcome(system, words == 0 ? 0 : (double)errors / words, errors, words, audioSeconds, wallSeconds, hypotheses);
    }

    public static string Format(Outcome o) => string.Create(
        CultureInfo.InvariantCulture,
        $"{o.System,-24} WER {o.Wer * 100,5:F1} % ({o.Errors}/{o.ReferenceWords} words)   {o.AudioSeconds:F1} s audio in {o.WallSeconds:F2} s, RTF {o.RealTimeFactor:F3}");

    public static string FormatClips(IReadOnlyList<(string Path, string Reference)> clips, params Outcome[] outcomes)
    {
        var text = new StringBuilder();
        foreach ((string path, string reference) in clips)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Path.GetFileName(path)}\n  reference: {reference}\n");
            foreach (Outcome o in outcomes)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {o.System}: {o.Hypotheses.GetValueOrDefault(path, string.Empty)}\n");
            }
        }

        return text.ToString();
    }
}
