using System.Globalization;
using System.Text;

namespace Flow.Pipeline;

/// <summary>Plain-text rendering of snapshots: the end-of-run report and the non-interactive live lines.</summary>
public static class PipelineReport
{
    /// <summary>Formats a snapshot as a table, one row per stage, then the bottleneck.</summary>
    /// <param name="snapshot">The figures.</param>
    /// <param name="outcome">A word for how the run ended, or <see langword="null"/> while running.</param>
    /// <param name="deadLetters">How many dead letters the run recorded.</param>
    /// <returns>The text, lines separated by <c>\n</c>.</returns>
    public static string Format(PipelineSnapshot snapshot, string? outcome = null, int deadLetters = 0)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"pipeline '{snapshot.PipelineName}'");
        if (outcome is not null)
        {
            text.Append(c, $" {outcome}");
        }

        text.Append(c, $" in {snapshot.Elapsed.TotalSeconds:0.00} s");
        if (deadLetters > 0)
        {
            text.Append(c, $", {deadLetters} dead letter(s)");
        }

        text.Append('\n');
        text.Append(c, $"{"stage",-18} {"kind",-10} {"dop",3} {"in",10} {"out",10} {"items/s",10} {"p50 ms",8} {"p99 ms",8} {"queue",6} {"busy",5} {"blocked",7} {"dropped",8} {"failed",7}\n");
        foreach (var s in snapshot.Stages)
        {
            text.Append(c, $"{Truncate(s.Name, 18),-18} {s.Kind,-10} {s.MaxDegreeOfParallelism,3} {s.ItemsIn,10} {s.ItemsOut,10} {s.ItemsPerSecond,10:0} {s.LatencyP50.TotalMilliseconds,8:0.000} {s.LatencyP99.TotalMilliseconds,8:0.000} {s.QueueDepth,6} {s.BusyRatio * 100,4:0}% {s.BlockedRatio * 100,6:0}% {s.Dropped,8} {s.Skipped + s.DeadLettered,7}\n");
        }

        var sinks = snapshot.Stages.Where(s => s.EndToEndP99 > TimeSpan.Zero).ToArray();
        foreach (var sink in sinks)
        {
            text.Append(c, $"end-to-end latency at '{sink.Name}': p50 {sink.EndToEndP50.TotalMilliseconds:0.000} ms, p99 {sink.EndToEndP99.TotalMilliseconds:0.000} ms\n");
        }

        text.Append(snapshot.Bottleneck is { } b ? $"bottleneck: '{b.StageName}' ({b.Reason})" : "bottleneck: none");
        return text.ToString();
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : string.Concat(value.AsSpan(0, length - 1), "…");
}
