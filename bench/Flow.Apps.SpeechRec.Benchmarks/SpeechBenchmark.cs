using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Flow.Apps.SpeechRec;
using Flow.Pipeline;
using Flow.Stages.Audio;

namespace Flow.Apps.SpeechRec.Benchmarks;

/// <summary>
/// <c>bench</c>: in one run, on the same clips and models —
/// (1) wall time and real-time factor of Flow's pipeline with 1 and 2 decoders against Debian's
/// <c>pocketsphinx_continuous</c> (one process per clip) and <c>pocketsphinx_batch</c> (one process);
/// (2) with <c>--realtime</c> pacing, the latency from the segmenter closing an utterance to its final
/// transcript (p50/p99). Ratios are against baselines measured in the same run.
/// </summary>
internal static class SpeechBenchmark
{
    public static Command Create()
    {
        var repeat = new Option<int>("--repeat") { Description = "Play the clip set this many times (more audio, steadier numbers)", DefaultValueFactory = _ => 2 };
        var rounds = new Option<int>("--rounds") { Description = "Measure each system this many times, interleaved; the median is reported", DefaultValueFactory = _ => 3 };
        var noRealtime = new Option<bool>("--no-realtime") { Description = "Skip the real-time latency run" };
        var command = new Command("bench", "SpeechRec benchmarks: RTF vs pocketsphinx_continuous/pocketsphinx_batch, pool 1 vs 2, realtime latency") { repeat, rounds, noRealtime };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(repeat), parse.GetValue(rounds), !parse.GetValue(noRealtime), Console.Out, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int repeat, int rounds, bool realtime, TextWriter output, CancellationToken cancellationToken)
    {
        IReadOnlyList<(string Path, string Reference)> set = LibriVoxClips.Load();
        var clips = Enumerable.Repeat(set, repeat).SelectMany(c => c).ToList();
        double audio = clips.Sum(c => WavAudio.ReadMono16k(c.Path).Length) / (double)SpeechAudio.SampleRate;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"speech bench: {clips.Count} clips ({set.Count} LibriVox clips × {repeat}), {audio:F1} s of audio, {Environment.ProcessorCount} cores, {rounds} interleaved rounds (median)")).ConfigureAwait(false);
        await output.WriteLineAsync("note: shared, noisy machine (other builds run concurrently); compare ratios within this run only").ConfigureAwait(false);

        var times = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        void Add(string name, double seconds) => (times.TryGetValue(name, out List<double>? list) ? list : times[name] = []).Add(seconds);

        var models = new PocketSphinxOptions();
        for (int round = 0; round < rounds; round++)
        {
            foreach (int decoders in new[] { 1, 2 })
            {
                var options = new SpeechRecognitionOptions { Decoders = decoders };
                (SpeechEvaluation.Outcome flow, _, _) = await SpeechEvaluation.RunFlowAsync(clips, options, null, cancellationToken).ConfigureAwait(false);
                Add($"flow, {decoders} decoder(s)", flow.WallSeconds);
            }

            SpeechEvaluation.Outcome cli = await SpeechEvaluation.RunCliAsync(clips, models, cancellationToken).ConfigureAwait(false);
            Add("pocketsphinx_continuous", cli.WallSeconds);
            SpeechEvaluation.Outcome batch = await SpeechEvaluation.RunBatchAsync(set, models, cancellationToken).ConfigureAwait(false);
            Add("pocketsphinx_batch", batch.WallSeconds * repeat); // the batch tool decodes the set once per process
        }

        double cliMedian = Median(times["pocketsphinx_continuous"]);
        double oneMedian = Median(times["flow, 1 decoder(s)"]);
        await output.WriteLineAsync("| system | wall s (median) | RTF | throughput vs pocketsphinx_continuous | vs flow 1 decoder |").ConfigureAwait(false);
        await output.WriteLineAsync("|---|---:|---:|---:|---:|").ConfigureAwait(false);
        foreach ((string name, List<double> values) in times)
        {
            double median = Median(values);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| {name} | {median:F2} | {median / audio:F3} | {cliMedian / median:F2}× | {oneMedian / median:F2}× |")).ConfigureAwait(false);
        }

        if (realtime)
        {
            foreach (bool streaming in new[] { false, true })
            {
                var source = new WavFileSource([.. clips.Select(c => c.Path)], new AudioSourceOptions { Realtime = true });
                var options = new SpeechRecognitionOptions { Decoders = 2, Streaming = streaming };
                SpeechJob job = SpeechJob.Build(source, options, _ => { }, new PipelineOptions { Name = "speech-realtime" });
                var stopwatch = Stopwatch.StartNew();
                await job.Pipeline.RunAsync(cancellationToken).ConfigureAwait(false);
                stopwatch.Stop();
                TimeSpan[] sorted = [.. job.FinalLatencies.Order()];
                string mode = streaming ? "--streaming, 1 streaming decoder" : "decoder pool, 2 decoders";
                await output.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"realtime ({mode}): {audio:F1} s of audio played in {stopwatch.Elapsed.TotalSeconds:F1} s; utterance closed → final transcript over {sorted.Length} utterances: p50 {P(sorted, 0.5):F0} ms, p99 {P(sorted, 0.99):F0} ms, max {sorted[^1].TotalMilliseconds:F0} ms")).ConfigureAwait(false);
            }
        }

        return 0;
    }

    private static double P(TimeSpan[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)].TotalMilliseconds;

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
