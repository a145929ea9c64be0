using System.Diagnostics.Metrics;
using Flow.Pipeline.Internal;

namespace Flow.Pipeline;

/// <summary>
/// Publishes one run's stage metrics on a <see cref="Meter"/> named "Flow" (OpenTelemetry can collect
/// it with <c>AddMeter("Flow")</c>). Counters are observed on demand, so they cost nothing per item;
/// the duration histogram is recorded per item only while someone listens.
/// </summary>
internal sealed class FlowMeter : IDisposable
{
    public const string MeterName = "Flow";
    private readonly Meter _meter;

    public FlowMeter(PipelineOptions options, IReadOnlyList<Node> nodes)
    {
        _meter = new Meter(new MeterOptions(MeterName)
        {
            Version = typeof(FlowMeter).Assembly.GetName().Version?.ToString(),
            Tags = [new("flow.pipeline", options.Name)],
            Scope = options.MeterFactory,
        });
        var metrics = nodes.Select(n => n.Metrics).ToArray();
        foreach (var m in metrics)
        {
            m.Tags = [new("flow.pipeline", options.Name), new("flow.stage", m.Name), new("flow.stage.kind", m.Kind)];
        }

        Observe(metrics, "flow.stage.items_in", "{item}", "Items that entered the stage", m => m.ItemsIn);
        Observe(metrics, "flow.stage.items_out", "{item}", "Items the stage emitted or consumed", m => m.ItemsOut);
        Observe(metrics, "flow.stage.dropped", "{item}", "Items discarded by load shedding", m => m.Dropped);
        Observe(metrics, "flow.stage.skipped", "{item}", "Items dropped by the skip error policy", m => m.Skipped);
        Observe(metrics, "flow.stage.dead_lettered", "{item}", "Items recorded as dead letters", m => m.DeadLettered);
        Observe(metrics, "flow.stage.retries", "{attempt}", "Retry attempts", m => m.Retries);
        _meter.CreateObservableCounter("flow.stage.busy_time", () => metrics.Select(m => new Measurement<double>(m.BusySeconds, m.Tags)), "s", "Time spent processing items, summed over workers");
        _meter.CreateObservableCounter("flow.stage.blocked_time", () => metrics.Select(m => new Measurement<double>(m.BlockedSeconds, m.Tags)), "s", "Time the stage waited on a full downstream");
        _meter.CreateObservableUpDownCounter("flow.stage.queue_depth", () => metrics.Select(m => new Measurement<int>(m.QueueDepth, m.Tags)), "{item}", "Items waiting in the stage's input queue");
        var duration = _meter.CreateHistogram<double>("flow.stage.item.duration", "s", "Time to process one item");
        foreach (var m in metrics)
        {
            m.DurationInstrument = duration;
        }
    }

    private void Observe(StageMetrics[] metrics, string name, string unit, string description, Func<StageMetrics, long> read)
        => _meter.CreateObservableCounter(name, () => metrics.Select(m => new Measurement<long>(read(m), m.Tags)), unit, description);

    public void Dispose() => _meter.Dispose();
}
