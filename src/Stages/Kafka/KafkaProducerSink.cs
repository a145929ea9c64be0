using Confluent.Kafka;
using Flow.Pipeline;

namespace Flow.Stages.Kafka;

/// <summary>
/// A pipeline sink that produces each item's messages (zero or more) with an idempotent producer
/// (acks=all, no duplicates from producer retries) and reports an item as delivered only when all
/// its messages are acknowledged by the brokers — the moment to acknowledge the input record.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class KafkaProducerSink<T> : ISinkStage<T>, IDisposable
{
    private readonly KafkaProducerSinkOptions _options;
    private readonly Func<T, IReadOnlyList<KafkaOutboundMessage>> _messages;
    private readonly Action<T>? _delivered;
    private IProducer<string?, byte[]>? _producer;
    private Exception? _failure;
    private long _produced;
    private long _deliveredItems;

    /// <summary>Creates the sink.</summary>
    /// <param name="options">Brokers and batching; a snapshot is taken.</param>
    /// <param name="messages">The messages of an item; an empty list means the item is delivered at once.</param>
    /// <param name="delivered">Called once per item when all its messages are acknowledged (on a producer thread).</param>
    public KafkaProducerSink(KafkaProducerSinkOptions options, Func<T, IReadOnlyList<KafkaOutboundMessage>> messages, Action<T>? delivered = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(messages);
        _options = options.Clone();
        if (_options.BootstrapServers.Length == 0)
        {
            throw new ArgumentException("set BootstrapServers", nameof(options));
        }

        _messages = messages;
        _delivered = delivered;
    }

    /// <summary>Messages acknowledged by the brokers so far.</summary>
    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>Items whose messages were all acknowledged so far.</summary>
    public long DeliveredItems => Interlocked.Read(ref _deliveredItems);

    /// <inheritdoc />
    public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = _options.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = _options.LingerMs,
            CompressionType = Enum.Parse<CompressionType>(_options.Compression, ignoreCase: true),
        };
        _producer = new ProducerBuilder<string?, byte[]>(config).Build();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">An earlier delivery failed; the run stops so that its record is not committed.</exception>
    public ValueTask ConsumeAsync(T item, CancellationToken cancellationToken)
    {
        var producer = _producer ?? throw new InvalidOperationException("the sink was not opened");
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new InvalidOperationException($"a Kafka delivery failed: {failure.Message}", failure);
        }

        var messages = _messages(item);
        if (messages.Count == 0)
        {
            Interlocked.Increment(ref _deliveredItems);
            _delivered?.Invoke(item);
            return ValueTask.CompletedTask;
        }

        int remaining = messages.Count;
        foreach (var message in messages)
        {
            Produce(producer, message, report =>
            {
                if (report.Error.IsError)
                {
                    Interlocked.CompareExchange(ref _failure, new KafkaException(report.Error), null);
                    return;
                }

                Interlocked.Increment(ref _produced);
                if (Interlocked.Decrement(ref remaining) == 0)
                {
                    Interlocked.Increment(ref _deliveredItems);
                    _delivered?.Invoke(item);
                }
            });
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">A delivery failed.</exception>
    public ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        if (_producer is { } producer)
        {
            // Wait for every outstanding delivery so the caller can commit after the run.
            while (producer.Flush(TimeSpan.FromSeconds(1)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new InvalidOperationException($"a Kafka delivery failed: {failure.Message}", failure);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Releases the producer (without flushing; close the sink to flush).</summary>
    public void Dispose()
    {
        _producer?.Dispose();
        _producer = null;
    }

    private static void Produce(IProducer<string?, byte[]> producer, KafkaOutboundMessage message, Action<DeliveryReport<string?, byte[]>> onDelivery)
    {
        while (true)
        {
            try
            {
                producer.Produce(message.Topic, new Message<string?, byte[]> { Key = message.Key, Value = message.Value }, onDelivery);
                return;
            }
            catch (ProduceException<string?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The local queue is full: serve delivery reports until there is room (backpressure).
                producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }
}
