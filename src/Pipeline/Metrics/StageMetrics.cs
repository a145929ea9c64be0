using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using HdrHistogram;

namespace Flow.Pipeline.Internal;

/// <summary>
/// Per-stage counters and histograms, written by the stage's workers and read by snapshots.
/// Counters are exact and always kept (results depend on them). Timing is sampled: reading the
/// clock costs about as much as moving an item between two blocks, so a fast stage times one item
/// in <see cref="FastSampleEvery"/> and scales busy time by items/sampled; a stage whose items take
/// longer than <see cref="SlowItem"/> times every item. Percentiles come from the timed items.
/// </summary>
internal sealed class StageMetrics
{
    /// <summary>A fast stage times one item in this many.</summary>
    public const int FastSampleEvery = 128;

    /// <summary>Items slower than this are all timed: the clock's cost is then negligible.</summary>
    public static readonly TimeSpan SlowItem = TimeSpan.FromMicroseconds(5);

    private static readonly long HighestTrackable = TimeStamp.Hours(1);
    private readonly bool _singleWriter;
    private readonly long _slowTicks;
    private long _sampled;
    private long _lastStamp;
    private readonly TimeProvider _time;
    private readonly long _tickFrequency;
    private readonly HistogramBase? _latency;
    private readonly HistogramBase? _endToEnd;
    private HotCounters _hot = new() { SampleEvery = 1 };
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
        _singleWriter = degreeOfParallelism == 1;
        _slowTicks = Math.Max(1, (long)(SlowItem.TotalSeconds * _tickFrequency));
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

    public long ItemsIn => Volatile.Read(ref _hot.In);

    public long ItemsOut => Volatile.Read(ref _hot.Out);

    public long Dropped => Volatile.Read(ref _dropped);

    public long Skipped => Volatile.Read(ref _skipped);

    public long DeadLettered => Volatile.Read(ref _deadLettered);

    public long Retries => Volatile.Read(ref _retries);

    public int QueueDepth => QueueDepthProbe?.Invoke() ?? 0;

    /// <summary>Processing time of all items, estimated from the timed ones.</summary>
    public double BusySeconds
    {
        get
        {
            long sampled = Volatile.Read(ref _sampled);
            if (sampled == 0)
            {
                return 0;
            }

            double scale = Math.Max(1.0, (double)ItemsIn / sampled);
            return Volatile.Read(ref _busyTicks) * scale / _tickFrequency;
        }
    }

    public double BlockedSeconds => (double)Volatile.Read(ref _blockedTicks) / _tickFrequency;

    public void Start(long timestamp) => _startTimestamp = timestamp;

    public void End(long timestamp) => _endTimestamp = timestamp;

    /// <summary>A source has handed over <paramref name="count"/> items in all (one writer: a plain store).</summary>
    public void SourceCount(long count)
    {
        Volatile.Write(ref _hot.In, count);
        Volatile.Write(ref _hot.Out, count);
    }

    /// <summary>Marks an item entering processing; returns its start timestamp, or 0 when this item is not timed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ItemIn()
    {
        // One worker: plain increments (readers use Volatile.Read; aligned longs do not tear).
        if (_singleWriter)
        {
            _hot.In++;
        }
        else
        {
            Interlocked.Increment(ref _hot.In);
        }

        return TimingEnabled && --_hot.Countdown <= 0 ? StartTiming() : 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long StartTiming()
    {
        _hot.Countdown = _hot.SampleEvery;
        return NonZero(_time.GetTimestamp());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ItemOut(long startTimestamp)
    {
        if (_singleWriter)
        {
            _hot.Out++;
        }
        else
        {
            Interlocked.Increment(ref _hot.Out);
        }

        if (startTimestamp != 0)
        {
            RecordBusy(startTimestamp);
        }
    }

    public void ItemsEmitted(long count)
    {
        if (_singleWriter)
        {
            _hot.Out += count;
        }
        else
        {
            Interlocked.Add(ref _hot.Out, count);
        }
    }

    /// <summary>
    /// The source timestamp for the next item, or 0 when it is not stamped: a fast source stamps one
    /// item in <see cref="FastSampleEvery"/> (end-to-end latency is measured on those), a slow one every item.
    /// </summary>
    public long SourceTimestamp()
    {
        if (!TimingEnabled || --_hot.Countdown > 0)
        {
            return 0;
        }

        long now = NonZero(_time.GetTimestamp());
        long perItem = _lastStamp == 0 ? long.MaxValue : (now - _lastStamp) / _hot.SampleEvery;
        _lastStamp = now;
        _hot.SampleEvery = perItem >= _slowTicks ? 1 : FastSampleEvery;
        _hot.Countdown = _hot.SampleEvery;
        return now;
    }

    private static long NonZero(long timestamp) => timestamp == 0 ? 1 : timestamp;

    /// <summary>Records the processing time of a timed item (a <paramref name="startTimestamp"/> of 0 means untimed).</summary>
    public void RecordBusy(long startTimestamp)
    {
        if (startTimestamp == 0)
        {
            return;
        }

        long elapsed = _time.GetTimestamp() - startTimestamp;
        _hot.SampleEvery = elapsed >= _slowTicks ? 1 : FastSampleEvery;
        Interlocked.Add(ref _busyTicks, elapsed);
        Interlocked.Increment(ref _sampled);
        _latency!.RecordValue(Math.Clamp(elapsed, 1, HighestTrackable));
        if (DurationInstrument is { Enabled: true } instrument)
        {
            instrument.Record((double)elapsed / _tickFrequency, Tags);
        }
    }

    public void RecordEndToEnd(long sourceTimestamp)
    {
        if (_endToEnd is not null && sourceTimestamp != 0)
        {
            _endToEnd.RecordValue(Math.Clamp(_time.GetTimestamp() - sourceTimestamp, 1, HighestTrackable));
        }
    }

    public void Drop() => Interlocked.Increment(ref _dropped);

    public void Skip() => Interlocked.Increment(ref _skipped);

    public void DeadLetter() => Interlocked.Increment(ref _deadLettered);

    public void Retry() => Interlocked.Increment(ref _retries);

    public void AddBlocked(long ticks) => Interlocked.Add(ref _blockedTicks, ticks);

    /// <summary>Starts timing a wait on a full downstream (0 when timing is off).</summary>
    public long BeginWait() => TimingEnabled ? _time.GetTimestamp() : 0;

    /// <summary>Ends a wait begun with <see cref="BeginWait"/>; returns its length in ticks.</summary>
    public long EndWait(long from)
    {
        if (from == 0)
        {
            return 0;
        }

        long waited = _time.GetTimestamp() - from;
        Interlocked.Add(ref _blockedTicks, waited);
        return waited;
    }

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

/// <summary>
/// The fields a stage's worker writes on every item, alone on their cache line: the metrics of
/// neighbouring stages (allocated next to each other, written by other cores) must not share it.
/// </summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 192)]
internal struct HotCounters
{
    [System.Runtime.InteropServices.FieldOffset(64)]
    public long In;

    [System.Runtime.InteropServices.FieldOffset(72)]
    public long Out;

    [System.Runtime.InteropServices.FieldOffset(80)]
    public int Countdown;

    [System.Runtime.InteropServices.FieldOffset(84)]
    public int SampleEvery;
}
