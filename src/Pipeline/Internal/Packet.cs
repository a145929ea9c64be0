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

    /// <summary>The most sources a pipeline may have (14 bits of the key).</summary>
    public const int MaxSources = 1 << 14;

    private const long DroppedBit = long.MinValue;

    /// <summary>Set on items whose source timestamp is in the run's side table (sinks look only those up).</summary>
    private const long TimedBit = 1L << 62;

    private const long FlagBits = DroppedBit | TimedBit;

    public readonly T Value;
    private readonly long _key;

    public Packet(T value, long tag)
    {
        Value = value;
        _key = tag;
    }

    /// <summary>The item's identity in the run (source index and sequence number): the side tables' key.</summary>
    public long Key => _key & ~FlagBits;

    /// <summary>The identity with the timed flag: what a stage's output for this item carries on.</summary>
    public long Tag => _key & ~DroppedBit;

    /// <summary>The sequence number given by the item's source (0-based).</summary>
    public long Sequence => _key & SequenceMask;

    public bool IsDropped => _key < 0;

    /// <summary>Whether the item's source timestamp was recorded (one fast item in many is timed).</summary>
    public bool IsTimed => (_key & TimedBit) != 0;

    /// <summary>A placeholder for an item a stage dropped; it keeps its slot in ordered output and is filtered at the link.</summary>
    public static Packet<T> Dropped(long tag) => new(default!, tag | DroppedBit);

    public static long MakeKey(int sourceIndex, long sequence) => ((long)sourceIndex << SourceShift) | (sequence & SequenceMask);

    /// <summary>Marks a key as timed (its source timestamp is in the side table).</summary>
    public static long Timed(long key) => key | TimedBit;

    public static readonly Predicate<Packet<T>> IsLive = static p => !p.IsDropped;
    public static readonly Predicate<Packet<T>> IsDead = static p => p.IsDropped;
}

/// <summary>The tags (keys with the timed flag) of the items in a batch, in batch order.</summary>
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
