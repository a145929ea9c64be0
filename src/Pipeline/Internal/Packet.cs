namespace Flow.Pipeline.Internal;

/// <summary>
/// The envelope every item travels in: the item and one 64-bit key (source index, sequence number,
/// dropped flag). It is kept to two words on purpose: every stage copies it through two TPL queues,
/// and a third word (a metadata reference) measured about 20 % slower on a trivial pipeline. What
/// only some items need — sampled source timestamps, batch traces — lives in per-run side tables
/// keyed by <see cref="Key"/> (<see cref="RunContext.Timestamps"/>, <see cref="RunContext.BatchTraces"/>).
/// </summary>
internal readonly struct Packet<T>
{
    /// <summary>Bits of the key that hold the per-source sequence number (2^48 items per source).</summary>
    public const long SequenceMask = (1L << SourceShift) - 1;

    public const int SourceShift = 48;

    private const long DroppedBit = long.MinValue;

    public readonly T Value;
    private readonly long _key;

    public Packet(T value, long key)
    {
        Value = value;
        _key = key;
    }

    /// <summary>The item's identity in the run: source index and sequence number.</summary>
    public long Key => _key & ~DroppedBit;

    /// <summary>The sequence number given by the item's source (0-based).</summary>
    public long Sequence => _key & SequenceMask;

    public bool IsDropped => _key < 0;

    /// <summary>A placeholder for an item a stage dropped; it keeps its slot in ordered output and is filtered at the link.</summary>
    public static Packet<T> Dropped(long key) => new(default!, key | DroppedBit);

    public static long MakeKey(int sourceIndex, long sequence) => ((long)sourceIndex << SourceShift) | (sequence & SequenceMask);

    public static readonly Predicate<Packet<T>> IsLive = static p => !p.IsDropped;
    public static readonly Predicate<Packet<T>> IsDead = static p => p.IsDropped;
}

/// <summary>The keys of the items in a batch, in batch order.</summary>
internal sealed class BatchTrace(long[] keys)
{
    public long[] Keys { get; } = keys;
}

/// <summary>
/// A small fixed-size table from item keys to values, for metadata only some items carry. Newer
/// entries overwrite older ones in the same slot; a lookup checks the key, so a lost entry reads as
/// absent, never as another item's value. Writers take a lock; readers do not: a miss (the common
/// case at a sink, since only timed items are stored) costs one read.
/// </summary>
internal sealed class KeyedRing<TValue>(int sizePowerOfTwo)
{
    private const long Empty = -1;
    private readonly long[] _keys = Enumerable.Repeat(Empty, sizePowerOfTwo).ToArray();
    private readonly TValue[] _values = new TValue[sizePowerOfTwo];
    private readonly Lock _lock = new();
    private readonly int _mask = sizePowerOfTwo - 1;

    public void Set(long key, TValue value)
    {
        int slot = Slot(key);
        lock (_lock)
        {
            // Invalidate, write, publish: a reader that sees the key before and after reading the
            // value has read the value written with that key.
            Volatile.Write(ref _keys[slot], Empty);
            _values[slot] = value;
            Volatile.Write(ref _keys[slot], key);
        }
    }

    public bool TryGet(long key, out TValue value)
    {
        int slot = Slot(key);
        if (Volatile.Read(ref _keys[slot]) != key)
        {
            value = default!;
            return false;
        }

        value = _values[slot];
        Interlocked.MemoryBarrier();
        return Volatile.Read(ref _keys[slot]) == key;
    }

    private int Slot(long key) => (int)((key ^ (key >> 29)) & _mask);
}
