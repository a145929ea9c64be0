namespace Flow.Pipeline.Internal;

/// <summary>
/// The envelope every item travels in: its source sequence number and, for timed items, its source
/// timestamp, so that ordering, drops and end-to-end latency are measurable. Kept to the item plus
/// two words, since every stage copies it through two queues: the timestamp and a batch's trace
/// live in an optional <see cref="PacketMeta"/> that only sampled items and batches carry.
/// </summary>
internal readonly struct Packet<T>
{
    public readonly T Value;
    public readonly long Sequence;
    private readonly PacketMeta? _meta;

    public Packet(T value, long sequence, PacketMeta? meta = null)
    {
        Value = value;
        Sequence = sequence;
        _meta = meta;
    }

    /// <summary>The source timestamp, or 0 for an item that was not timed.</summary>
    public long Timestamp => _meta?.Timestamp ?? 0;

    /// <summary>The metadata to pass on unchanged to a 1→1 stage's output.</summary>
    public PacketMeta? Meta => _meta;

    /// <summary>The metadata for items derived from this one (1→N): the timestamp, never a batch trace.</summary>
    public PacketMeta? DerivedMeta => _meta is BatchTrace trace ? PacketMeta.Stamp(trace.Timestamp) : _meta;

    public BatchTrace? Trace => _meta as BatchTrace;

    public bool IsDropped => ReferenceEquals(_meta, PacketMeta.DroppedMarker);

    /// <summary>A placeholder for an item a stage dropped; it keeps its slot in ordered output and is filtered at the link.</summary>
    public static Packet<T> Dropped(long sequence) => new(default!, sequence, PacketMeta.DroppedMarker);

    public static readonly Predicate<Packet<T>> IsLive = static p => !p.IsDropped;
    public static readonly Predicate<Packet<T>> IsDead = static p => p.IsDropped;
}

/// <summary>What only some packets carry: a source timestamp (timed items), a batch trace, or the dropped marker.</summary>
internal class PacketMeta(long timestamp)
{
    public static readonly PacketMeta DroppedMarker = new(0);

    public long Timestamp { get; } = timestamp;

    /// <summary>Metadata for a source timestamp; null (nothing to carry) when the item is not timed.</summary>
    public static PacketMeta? Stamp(long timestamp) => timestamp == 0 ? null : new PacketMeta(timestamp);
}

/// <summary>The sequence numbers and timestamps of the items in a batch, in batch order.</summary>
internal sealed class BatchTrace(long[] sequences, long[] timestamps) : PacketMeta(FirstTimed(timestamps))
{
    public long[] Sequences { get; } = sequences;

    public long[] Timestamps { get; } = timestamps;

    private static long FirstTimed(long[] timestamps)
    {
        foreach (long t in timestamps)
        {
            if (t != 0)
            {
                return t;
            }
        }

        return 0;
    }
}
