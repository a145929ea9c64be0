using System.Globalization;
using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Flow.Pipeline;

/// <summary>
/// Shows a running pipeline in the terminal: a table of stages refreshed about twice a second when
/// the output is interactive, plain periodic lines when it is redirected or <c>TERM=dumb</c>, and
/// the end-of-run report with the bottleneck.
/// </summary>
/// <example>
/// <code>
/// var run = pipeline.Start(cancellationToken);
/// PipelineResult result = await LiveView.RunAsync(run);
/// </code>
/// </example>
public static class LiveView
{
    /// <summary>Draws <paramref name="run"/> until it ends, then writes the report.</summary>
    /// <param name="run">A started run.</param>
    /// <param name="options">Mode, refresh rate, output.</param>
    /// <returns>The run's result.</returns>
    /// <exception cref="StageFailedException">The run failed (after the view shows its last state).</exception>
    /// <exception cref="OperationCanceledException">The run was canceled.</exception>
    public static async Task<PipelineResult> RunAsync(PipelineRun run, LiveViewOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        options ??= new LiveViewOptions();
        var mode = Resolve(options.Mode, options.Output, Environment.GetEnvironmentVariable("TERM"));
        switch (mode)
        {
            case LiveViewMode.Table:
                await DrawTableAsync(run, options).ConfigureAwait(false);
                break;
            case LiveViewMode.Plain:
                await WritePlainAsync(run, options).ConfigureAwait(false);
                break;
            default:
                await WaitQuietlyAsync(run.Completion).ConfigureAwait(false);
                break;
        }

        var result = await run.Completion.ConfigureAwait(false);
        if (options.WriteReport)
        {
            await options.Output.WriteLineAsync(result.FormatReport()).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>Chooses the mode: a table only for an interactive terminal that understands ANSI.</summary>
    internal static LiveViewMode Resolve(LiveViewMode requested, TextWriter output, string? term)
    {
        if (requested != LiveViewMode.Auto)
        {
            return requested;
        }

        bool console = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        bool dumb = string.IsNullOrEmpty(term) || string.Equals(term, "dumb", StringComparison.Ordinal);
        return console && !dumb && AnsiConsole.Profile.Capabilities.Interactive ? LiveViewMode.Table : LiveViewMode.Plain;
    }

    /// <summary>One line for a snapshot: elapsed time, then each stage's output count, rate, busy share and queue.</summary>
    /// <param name="snapshot">The figures.</param>
    /// <returns>The line, without a line break.</returns>
    public static string FormatLine(PipelineSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var c = CultureInfo.InvariantCulture;
        var line = new StringBuilder();
        line.Append(c, $"[{snapshot.PipelineName} {snapshot.Elapsed.TotalSeconds,6:0.0}s]");
        foreach (var s in snapshot.Stages)
        {
            line.Append(c, $" | {s.Name} {s.ItemsOut} ({s.ItemsPerSecond:0}/s");
            if (s.Kind != "source")
            {
                line.Append(c, $" busy {s.BusyRatio * 100:0}% q {s.QueueDepth}");
            }

            if (s.Dropped + s.Skipped + s.DeadLettered > 0)
            {
                line.Append(c, $" lost {s.Dropped + s.Skipped + s.DeadLettered}");
            }

            line.Append(')');
        }

        return line.ToString();
    }

    private static async Task WritePlainAsync(PipelineRun run, LiveViewOptions options)
    {
        while (!await WaitOrTickAsync(run.Completion, options.PlainInterval, options.TimeProvider).ConfigureAwait(false))
        {
            await options.Output.WriteLineAsync(FormatLine(run.Monitor.Snapshot())).ConfigureAwait(false);
        }
    }

    private static async Task DrawTableAsync(PipelineRun run, LiveViewOptions options)
    {
        var table = BuildTable(run.Monitor.Snapshot());
        await AnsiConsole.Live(table).AutoClear(false).StartAsync(async context =>
        {
            while (!await WaitOrTickAsync(run.Completion, options.RefreshInterval, options.TimeProvider).ConfigureAwait(false))
            {
                context.UpdateTarget(BuildTable(run.Monitor.Snapshot()));
            }

            context.UpdateTarget(BuildTable(run.Monitor.Snapshot()));
        }).ConfigureAwait(false);
    }

    private static Table BuildTable(PipelineSnapshot snapshot)
    {
        var c = CultureInfo.InvariantCulture;
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(snapshot.PipelineName)}[/] {snapshot.Elapsed.TotalSeconds.ToString("0.0", c)} s");
        foreach (var header in new[] { "stage", "kind", "dop", "in", "out", "items/s", "p50 ms", "p99 ms", "queue", "busy", "blocked", "lost" })
        {
            table.AddColumn(new TableColumn(header).RightAligned());
        }

        string? bottleneck = snapshot.Bottleneck?.StageName;
        foreach (var s in snapshot.Stages)
        {
            var name = s.Name == bottleneck ? $"[red bold]{Markup.Escape(s.Name)}[/]" : Markup.Escape(s.Name);
            table.AddRow(new IRenderable[]
            {
                new Markup(name),
                new Text(s.Kind),
                new Text(s.MaxDegreeOfParallelism.ToString(c)),
                new Text(s.ItemsIn.ToString("N0", c)),
                new Text(s.ItemsOut.ToString("N0", c)),
                new Text(s.ItemsPerSecond.ToString("N0", c)),
                new Text(s.LatencyP50.TotalMilliseconds.ToString("0.000", c)),
                new Text(s.LatencyP99.TotalMilliseconds.ToString("0.000", c)),
                new Text(s.QueueDepth.ToString(c)),
                new BreakdownBar(s.BusyRatio),
                new Text((s.BlockedRatio * 100).ToString("0", c) + "%"),
                new Text((s.Dropped + s.Skipped + s.DeadLettered).ToString(c)),
            });
        }

        if (snapshot.Bottleneck is { } b)
        {
            table.Caption($"bottleneck: {Markup.Escape(b.StageName)} — {Markup.Escape(b.Reason)}");
        }

        return table;
    }

    /// <summary>Waits for the run to end or the interval to pass; returns whether the run ended.</summary>
    private static async Task<bool> WaitOrTickAsync(Task completion, TimeSpan interval, TimeProvider time)
    {
        using var cts = new CancellationTokenSource();
        var tick = Task.Delay(interval, time, cts.Token);
        var first = await Task.WhenAny(completion, tick).ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
        return first == completion;
    }

    private static async Task WaitQuietlyAsync(Task completion)
    {
        try
        {
            await completion.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The caller observes the run's outcome by awaiting it right after.
        catch
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>A percentage as a small bar and a number.</summary>
    private sealed class BreakdownBar(double ratio) : IRenderable
    {
        public Measurement Measure(RenderOptions options, int maxWidth) => new(9, 9);

        public IEnumerable<Segment> Render(RenderOptions options, int maxWidth)
        {
            int filled = (int)Math.Round(Math.Clamp(ratio, 0, 1) * 4);
            var color = ratio > 0.9 ? Color.Red : ratio > 0.6 ? Color.Yellow : Color.Green;
            yield return new Segment(new string('█', filled), new Style(color));
            yield return new Segment(new string('░', 4 - filled), new Style(Color.Grey));
            yield return new Segment((ratio * 100).ToString("0", CultureInfo.InvariantCulture).PadLeft(4) + "%");
        }
    }
}
