using System.Diagnostics.Metrics;

namespace Flow.Pipeline;

/// <summary>Settings that apply to a whole pipeline.</summary>
public sealed class PipelineOptions
{
    private string _name = "pipeline";
    private TimeProvider _timeProvider = TimeProvider.System;
    private TimeSpan _sampleInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The pipeline's name, used as the <c>flow.pipeline</c> tag of every metric.</summary>
    /// <value>The default is <c>"pipeline"</c>.</value>
    /// <exception cref="ArgumentException">The name is null, empty or whitespace.</exception>
    public string Name
    {
        get => _name;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value, nameof(Name));
            _name = value;
        }
    }

    /// <summary>
    /// The clock for timestamps, latencies, batch delays and retry back-off. Tests pass a fake one.
    /// </summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set
        {
            ArgumentNullException.ThrowIfNull(value, nameof(TimeProvider));
            _timeProvider = value;
        }
    }

    /// <summary>
    /// Creates the <see cref="Meter"/> named "Flow" that publishes the stage metrics. Hosted
    /// pipelines get the host's factory.
    /// </summary>
    /// <value>The default is <see langword="null"/>: a plain <c>new Meter("Flow")</c> per run.</value>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// Whether per-item metrics (latency histograms, busy time) are recorded. Counts of items in,
    /// out, dropped and dead-lettered are always kept, since results depend on them.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool MetricsEnabled { get; set; } = true;

    /// <summary>
    /// Whether stages run with the ExecutionContext of the code that started the run, so AsyncLocal
    /// values (an ambient <c>Activity</c>, logging scopes) are visible inside stages. Restoring that
    /// context on every block task is expensive: on a trivial pipeline it measured up to 1.9× slower.
    /// </summary>
    /// <value>The default is <see langword="false"/>: stages start from an empty context, like hosted workers.</value>
    public bool FlowExecutionContext { get; set; }

    /// <summary>
    /// How often queue depths and backpressure are sampled while the pipeline runs.
    /// </summary>
    /// <value>The default is 100 ms.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan SampleInterval
    {
        get => _sampleInterval;
        set
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(SampleInterval), value, "the interval must be positive");
            }

            _sampleInterval = value;
        }
    }

    /// <summary>Returns a copy, so later changes to this object do not reach a built pipeline.</summary>
    /// <returns>A new options object with the same values.</returns>
    public PipelineOptions Clone() => (PipelineOptions)MemberwiseClone();
}
