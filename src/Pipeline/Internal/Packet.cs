namespace Flow.Pipeline.Internal;

/// <summary>
/// The envelope every item travels in: its source sequence number and source timestamp, so that
/// ordering, drops and end-to-end latency are measurable. Batches carry their items' traces.
/// </summary>
internal readonly struct Packet<T>
{
    public readonly T Value;
    public readonly long Sequence;
    public readonly long Timestamp;

    // Holds a batch's trace, or the Dropped marker: no separate flag, so the envelope stays small
    // (every stage copies it through two queues).
    private readonly BatchTrace? _trace;

    public Packet(T value, long sequence, long timestamp, BatchTrace? trace = null)
    {
        Value = value;
        Sequence = sequence;
        Timestamp = timestamp;
        _trace = trace;
    }

    private Packet(long sequence, long timestamp)
    {
        Value = default!;
        Sequence = sequence;
        Timestamp = timestamp;
        _trace = BatchTrace.DroppedMarker;
    }

    public BatchTrace? Trace => ReferenceEquals(_trace, BatchTrace.DroppedMarker) ? null : _trace;

    public bool IsDropped => ReferenceEquals(_trace, BatchTrace.DroppedMarker);

    /// <summary>A placeholder for an item a stage dropped; it keeps its slot in ordered output and is filtered at the link.</summary>
    public static Packet<T> Dropped(long sequence, long timestamp) => new(sequence, timestamp);

    public static readonly Predicate<Packet<T>> IsLive = static p => !p.IsDropped;
    public static readonly Predicate<Packet<T>> IsDead = static p => p.IsDropped;
}

/// <summary>The sequence numbers and timestamps of the items in a batch, in batch order.</summary>
internal sealed class BatchTrace(long[] sequences, long[] timestamps)
{
    public static readonly BatchTrace DroppedMarker = new([], []);

    public long[] Sequences { get; } = sequences;
    public long[] Timestamps { get; } = timestamps;
}
