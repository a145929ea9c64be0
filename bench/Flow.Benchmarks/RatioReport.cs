using System.Diagnostics;
using System.Globalization;

namespace Flow.Benchmarks;

/// <summary>
/// Runs every variant of <see cref="PipelineOverheadBenchmarks"/> in interleaved rounds (one warm-up
/// round first) and prints per-item medians, the ratio of medians to the hand-wired TPL Dataflow
/// baseline measured in the same rounds, and the median of the per-round (paired) ratios.
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
            ("TPL Dataflow, hand-wired, 16-byte items", EnvelopeReference.HandWiredWithEnvelope),
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
        await output.WriteLineAsync(string.Create(c, $"{"variant",-40} {"median ns/item",15} {"min",8} {"max",8} {"ratio",7} {"paired",7}")).ConfigureAwait(false);
        var baselineTimes = times[variants[0].Name];
        foreach (var (name, _) in variants)
        {
            var t = times[name];
            // Paired: the median of each round's own ratio (both measured back to back).
            var paired = t.Select((v, i) => v / baselineTimes[i]).ToList();
            await output.WriteLineAsync(string.Create(c, $"{name,-40} {Median(t),15:0} {t.Min(),8:0} {t.Max(),8:0} {Median(t) / baseline,7:0.00} {Median(paired),7:0.00}")).ConfigureAwait(false);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
