using System.Diagnostics.Metrics;
using HdrHistogram;

namespace Flow.Pipeline.Internal;

/// <summary>
/// Per-stage counters and histograms, written by the stage's workers and read by snapshots.
/// Counters are always kept (results depend on them); timing only when metrics are enabled.
/// </summary>
internal sealed class StageMetrics
{
    private static readonly long HighestTrackable = TimeStamp.Hours(1);
    private readonly TimeProvider _time;
    private readonly long _tickFrequency;
    private readonly HistogramBase? _latency;
    private readonly HistogramBase? _endToEnd;
    private long _in;
    private long _out;
    private long _dropped;
    private long _skipped;
    private long _deadLettered;
    private long _retries;
    private long _busyTicks;
    private long _blockedTicks;
    private long _startTimestamp;
    private long _endTimestamp;

    public StageMetrics(string name, string kind, int degreeOfParallelism, int boundedCapacity, TimeProvider time, bool timingEnabled, bool isSink)
    {
        Name = name;
        Kind = kind;
        DegreeOfParallelism = degreeOfParallelism;
        BoundedCapacity = boundedCapacity;
        _time = time;
        _tickFrequency = time.TimestampFrequency;
        TimingEnabled = timingEnabled;
        if (timingEnabled)
        {
            _latency = new LongConcurrentHistogram(1, HighestTrackable, 2);
            if (isSink)
            {
                _endToEnd = new LongConcurrentHistogram(1, HighestTrackable, 2);
            }
        }
    }

    public string Name { get; }

    public string Kind { get; }

    public int DegreeOfParallelism { get; }

    public int BoundedCapacity { get; }

    public bool TimingEnabled { get; }

    /// <summary>Published per item when a listener subscribes to the "Flow" meter.</summary>
    public Histogram<double>? DurationInstrument { get; set; }

    public KeyValuePair<string, object?>[] Tags { get; set; } = [];

    public IReadOnlyList<string> Upstream { get; set; } = [];

    public Func<int>? QueueDepthProbe { get; set; }

    /// <summary>Returns whether the stage's output is waiting on a full downstream right now.</summary>
    public Func<bool>? BlockedProbe { get; set; }

    public long ItemsIn => Volatile.Read(ref _in);

    public long ItemsOut => Volatile.Read(ref _out);

    public long Dropped => Volatile.Read(ref _dropped);

    public long Skipped => Volatile.Read(ref _skipped);

    public long DeadLettered => Volatile.Read(ref _deadLettered);

    public long Retries => Volatile.Read(ref _retries);

    public int QueueDepth => QueueDepthProbe?.Invoke() ?? 0;

    public double BusySeconds => (double)Volatile.Read(ref _busyTicks) / _tickFrequency;

    public double BlockedSeconds => (double)Volatile.Read(ref _blockedTicks) / _tickFrequency;

    public void Start(long timestamp) => _startTimestamp = timestamp;

    public void End(long timestamp) => _endTimestamp = timestamp;

    public long Now() => _time.GetTimestamp();

    /// <summary>Marks an item entering processing; returns its start timestamp (0 when timing is off).</summary>
    public long ItemIn()
    {
        Interlocked.Increment(ref _in);
        return TimingEnabled ? _time.GetTimestamp() : 0;
    }

    public void ItemOut(long startTimestamp)
    {
        Interlocked.Increment(ref _out);
        if (TimingEnabled)
        {
            RecordBusy(startTimestamp);
        }
    }

    public void ItemsEmitted(long count) => Interlocked.Add(ref _out, count);

    /// <summary>Records processing time without counting an output (drops, 1→N stages).</summary>
    public void RecordBusy(long startTimestamp)
    {
        if (!TimingEnabled)
        {
            return;
        }

        long elapsed = _time.GetTimestamp() - startTimestamp;
        Interlocked.Add(ref _busyTicks, elapsed);
        _latency!.RecordValue(Math.Clamp(elapsed, 1, HighestTrackable));
        if (DurationInstrument is { Enabled: true } instrument)
        {
            instrument.Record((double)elapsed / _tickFrequency, Tags);
        }
    }

    public void RecordEndToEnd(long sourceTimestamp)
    {
        if (_endToEnd is not null)
        {
            _endToEnd.RecordValue(Math.Clamp(_time.GetTimestamp() - sourceTimestamp, 1, HighestTrackable));
        }
    }

    public void Drop() => Interlocked.Increment(ref _dropped);

    public void Skip() => Interlocked.Increment(ref _skipped);

    public void DeadLetter() => Interlocked.Increment(ref _deadLettered);

    public void Retry() => Interlocked.Increment(ref _retries);

    public void AddBlocked(long ticks) => Interlocked.Add(ref _blockedTicks, ticks);

    /// <summary>Called by the monitor's sampler: queue depth and sampled backpressure.</summary>
    public void Sample(long intervalTicks)
    {
        if (BlockedProbe?.Invoke() == true)
        {
            AddBlocked(intervalTicks);
        }
    }

    public StageSnapshot Snapshot(long now)
    {
        long end = _endTimestamp != 0 ? _endTimestamp : now;
        double elapsed = _startTimestamp == 0 ? 0 : Math.Max(0, (double)(end - _startTimestamp) / _tickFrequency);
        long itemsOut = ItemsOut;
        return new StageSnapshot
        {
            Name = Name,
            Kind = Kind,
            Upstream = Upstream,
            MaxDegreeOfParallelism = DegreeOfParallelism,
            BoundedCapacity = BoundedCapacity,
            ItemsIn = ItemsIn,
            ItemsOut = itemsOut,
            Dropped = Dropped,
            Skipped = Skipped,
            DeadLettered = DeadLettered,
            Retries = Retries,
            ItemsPerSecond = elapsed > 0 ? itemsOut / elapsed : 0,
            LatencyP50 = Percentile(_latency, 50),
            LatencyP95 = Percentile(_latency, 95),
            LatencyP99 = Percentile(_latency, 99),
            EndToEndP50 = Percentile(_endToEnd, 50),
            EndToEndP99 = Percentile(_endToEnd, 99),
            QueueDepth = _endTimestamp != 0 ? 0 : Math.Max(QueueDepth, 0),
            BusyRatio = elapsed > 0 ? Math.Min(1, BusySeconds / (elapsed * DegreeOfParallelism)) : 0,
            BlockedTime = TimeSpan.FromSeconds(BlockedSeconds),
            Elapsed = TimeSpan.FromSeconds(elapsed),
        };
    }

    private TimeSpan Percentile(HistogramBase? histogram, double percentile)
    {
        if (histogram is null || histogram.TotalCount == 0)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromSeconds((double)histogram.GetValueAtPercentile(percentile) / _tickFrequency);
    }
}
