using Confluent.Kafka;

namespace Flow.Stages.Kafka.Internal;

/// <summary>The in-flight offsets of one partition during one assignment.</summary>
internal sealed class PartitionLedger(TopicPartition partition)
{
    private readonly Lock _lock = new();
    private readonly Queue<long> _pending = new();
    private readonly HashSet<long> _done = [];
    private long _committable = -1;
    private long _committed = -1;
    private bool _retired;

    public TopicPartition Partition { get; } = partition;

    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Registers the next consumed offset; false if it is not above the last one (the consumer rewound).</summary>
    public bool TryRegister(long offset)
    {
        lock (_lock)
        {
            if (offset <= LastRegistered)
            {
                return false;
            }

            _pending.Enqueue(offset);
            LastRegistered = offset;
            return true;
        }
    }

    /// <summary>Marks a record as fully handled.</summary>
    public void Complete(long offset)
    {
        lock (_lock)
        {
            if (_retired)
            {
                return;
            }

            _done.Add(offset);
            while (_pending.TryPeek(out long head) && _done.Remove(head))
            {
                _pending.Dequeue();
                _committable = head + 1;
            }
        }
    }

    /// <summary>The offset to commit, if it is beyond what was committed successfully.</summary>
    public long? Committable()
    {
        lock (_lock)
        {
            return _committable > _committed ? _committable : null;
        }
    }

    /// <summary>Records a successful commit; a failed one is simply retried at the next chance.</summary>
    public void MarkCommitted(long offset)
    {
        lock (_lock)
        {
            _committed = Math.Max(_committed, offset);
        }
    }

    public void Retire()
    {
        lock (_lock)
        {
            _retired = true;
        }
    }

    private long LastRegistered { get; set; } = -1;
}
