using System.Diagnostics;
using System.Globalization;

namespace Flow.Benchmarks;

/// <summary>
/// Runs every variant of <see cref="PipelineOverheadBenchmarks"/> in interleaved rounds (one warm-up
/// round first) and prints per-item medians and the ratio of medians to the hand-wired TPL Dataflow
/// baseline measured in the same rounds.
/// </summary>
internal static class RatioReport
{
    private const int Items = 1_000_000;

    public static async Task RunAsync(int rounds, TextWriter output)
    {
        var bench = new PipelineOverheadBenchmarks();
        var variants = new (string Name, Func<Task<long>> Run)[]
        {
            ("TPL Dataflow, hand-wired (baseline)", bench.HandWiredDataflow),
            ("Flow, metrics on", bench.FlowMetricsOn),
            ("Flow, metrics off", bench.FlowMetricsOff),
            ("System.Threading.Channels", bench.Channels),
        };
        var times = variants.ToDictionary(v => v.Name, _ => new List<double>());
        for (int round = 0; round <= rounds; round++)
        {
            foreach (var (name, run) in variants)
            {
                var watch = Stopwatch.StartNew();
                await run().ConfigureAwait(false);
                if (round > 0)
                {
                    times[name].Add(watch.Elapsed.TotalMilliseconds * 1e6 / Items);
                }
            }
        }

        double baseline = Median(times[variants[0].Name]);
        var c = CultureInfo.InvariantCulture;
        await output.WriteLineAsync(string.Create(c, $"4-stage pipeline, {Items:N0} ints, {rounds} interleaved rounds, {Environment.ProcessorCount} cores")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(c, $"{"variant",-38} {"median ns/item",15} {"min",8} {"max",8} {"ratio",7}")).ConfigureAwait(false);
        foreach (var (name, _) in variants)
        {
            var t = times[name];
            await output.WriteLineAsync(string.Create(c, $"{name,-38} {Median(t),15:0} {t.Min(),8:0} {t.Max(),8:0} {Median(t) / baseline,7:0.00}")).ConfigureAwait(false);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
