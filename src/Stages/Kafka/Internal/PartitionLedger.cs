using Confluent.Kafka;

namespace Flow.Stages.Kafka.Internal;

/// <summary>The in-flight offsets of one partition during one assignment.</summary>
internal sealed class PartitionLedger(TopicPartition partition)
{
    private readonly Lock _lock = new();
    private readonly Queue<long> _pending = new();
    private readonly HashSet<long> _done = [];
    private long _committable = -1;
    private long _lastTaken = -1;
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

    public long? TakeCommittable()
    {
        lock (_lock)
        {
            if (_committable < 0 || _committable == _lastTaken)
            {
                return null;
            }

            _lastTaken = _committable;
            return _committable;
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
