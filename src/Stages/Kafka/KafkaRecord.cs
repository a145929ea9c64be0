using Confluent.Kafka;
using Flow.Stages.Kafka.Internal;

namespace Flow.Stages.Kafka;

/// <summary>
/// A record consumed by <see cref="KafkaSource"/>. Call <see cref="Acknowledge"/> once it has been
/// fully handled (scored, its outputs delivered); only then can its offset be committed.
/// </summary>
public sealed class KafkaRecord
{
    private readonly PartitionLedger _ledger;
    private int _acknowledged;

    internal KafkaRecord(ConsumeResult<string?, byte[]> result, PartitionLedger ledger)
    {
        Topic = result.Topic;
        Partition = result.Partition.Value;
        Offset = result.Offset.Value;
        Key = result.Message.Key;
        Value = result.Message.Value ?? [];
        Timestamp = result.Message.Timestamp.UtcDateTime;
        _ledger = ledger;
    }

    /// <summary>The topic.</summary>
    public string Topic { get; }

    /// <summary>The partition.</summary>
    public int Partition { get; }

    /// <summary>The offset in the partition.</summary>
    public long Offset { get; }

    /// <summary>The key, or <see langword="null"/>.</summary>
    public string? Key { get; }

    /// <summary>The value's bytes.</summary>
    public byte[] Value { get; }

    /// <summary>The record's timestamp (UTC).</summary>
    public DateTime Timestamp { get; }

    /// <summary>Whether <see cref="Acknowledge"/> was called.</summary>
    public bool IsAcknowledged => Volatile.Read(ref _acknowledged) != 0;

    /// <summary>
    /// Marks the record as fully handled. Thread-safe; extra calls do nothing. After a rebalance took
    /// its partition away it does nothing either (the new owner will process the record again).
    /// </summary>
    public void Acknowledge()
    {
        if (Interlocked.Exchange(ref _acknowledged, 1) == 0)
        {
            _ledger.Complete(Offset);
        }
    }

    /// <summary>Formats the record's position, e.g. <c>tx[3]@42</c>.</summary>
    /// <returns>The position.</returns>
    public override string ToString() => $"{Topic}[{Partition}]@{Offset}";
}
