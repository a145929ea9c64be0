using Confluent.Kafka;

namespace Flow.Stages.Kafka.Internal;

/// <summary>
/// Ordered commit tracking: records of a partition are registered in offset order as they are
/// consumed and completed in any order; the committable offset of a partition is one past the
/// longest fully-completed prefix, so a commit never covers a record that is still in flight.
/// Thread-safe.
/// </summary>
internal sealed class PartitionCommitTracker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TopicPartition, PartitionLedger> _partitions = [];

    /// <summary>Registers a consumed record; returns the ledger its completion must be reported to.</summary>
    public PartitionLedger Register(TopicPartitionOffset record)
    {
        lock (_lock)
        {
            if (!_partitions.TryGetValue(record.TopicPartition, out var ledger))
            {
                ledger = new PartitionLedger(record.TopicPartition);
                _partitions.Add(record.TopicPartition, ledger);
            }

            if (!ledger.TryRegister(record.Offset.Value))
            {
                // The consumer rewound (an offset reset): start a fresh ledger; the old one's late
                // completions are ignored, so nothing beyond the rewind point is committed by them.
                ledger.Retire();
                ledger = new PartitionLedger(record.TopicPartition);
                _partitions[record.TopicPartition] = ledger;
                ledger.TryRegister(record.Offset.Value);
            }

            return ledger;
        }
    }

    /// <summary>Offsets that can be committed now and have not been committed successfully yet.</summary>
    public List<TopicPartitionOffset> Committable(IEnumerable<TopicPartition>? only = null)
    {
        lock (_lock)
        {
            var result = new List<TopicPartitionOffset>();
            foreach (var ledger in only is null ? _partitions.Values : only.Select(tp => _partitions.GetValueOrDefault(tp)).OfType<PartitionLedger>())
            {
                if (ledger.Committable() is { } offset)
                {
                    result.Add(new TopicPartitionOffset(ledger.Partition, offset));
                }
            }

            return result;
        }
    }

    /// <summary>Records that the offsets were committed, so they are not sent again.</summary>
    public void MarkCommitted(IEnumerable<TopicPartitionOffset> offsets)
    {
        lock (_lock)
        {
            foreach (var offset in offsets)
            {
                if (_partitions.TryGetValue(offset.TopicPartition, out var ledger))
                {
                    ledger.MarkCommitted(offset.Offset.Value);
                }
            }
        }
    }

    /// <summary>Forgets partitions that were revoked or lost; later completions of their records are ignored.</summary>
    public void Forget(IEnumerable<TopicPartition> partitions)
    {
        lock (_lock)
        {
            foreach (var partition in partitions)
            {
                if (_partitions.Remove(partition, out var ledger))
                {
                    ledger.Retire();
                }
            }
        }
    }

    /// <summary>Records registered but not yet completed, over all partitions.</summary>
    public long InFlight
    {
        get
        {
            lock (_lock)
            {
                return _partitions.Values.Sum(l => l.InFlight);
            }
        }
    }
}
