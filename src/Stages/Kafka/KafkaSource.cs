using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Confluent.Kafka;
using Flow.Pipeline;
using Flow.Stages.Kafka.Internal;

namespace Flow.Stages.Kafka;

/// <summary>
/// A pipeline source that consumes a Kafka topic in a consumer group with at-least-once delivery:
/// offsets are committed only up to the longest prefix of records that were
/// <see cref="KafkaRecord.Acknowledge">acknowledged</see> (an ordered commit tracker per partition),
/// periodically, when partitions are revoked (cooperative-sticky assignment) and on dispose.
/// A crash never commits a record that was not fully handled; it only causes redelivery of what was
/// in flight.
/// </summary>
/// <remarks>
/// Dispose the source after the pipeline run has finished: that makes the final commit of records
/// acknowledged while the pipeline drained, and leaves the group.
/// </remarks>
public sealed class KafkaSource : ISourceStage<KafkaRecord>, IAsyncDisposable
{
    private readonly KafkaSourceOptions _options;
    private readonly Action<string>? _log;
    private readonly PartitionCommitTracker _tracker = new();
    private readonly Channel<KafkaRecord> _buffer;
    private readonly CancellationTokenSource _stop = new();
    private IConsumer<string?, byte[]>? _consumer;
    private Thread? _thread;
    private TimeProvider _clock = TimeProvider.System;
    private long _consumed;
    private long _commits;
    private int _assigned;
    private int _disposed;

    /// <summary>Creates the source; nothing connects until the pipeline opens it.</summary>
    /// <param name="options">Brokers, topic, group, commit interval and stop conditions; a snapshot is taken.</param>
    /// <param name="log">Receives one line per notable event (assignment, revocation, commit failure).</param>
    /// <exception cref="ArgumentException">Brokers, topic or group is not set.</exception>
    public KafkaSource(KafkaSourceOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        if (_options.BootstrapServers.Length == 0 || _options.Topic.Length == 0 || _options.GroupId.Length == 0)
        {
            throw new ArgumentException("set BootstrapServers, Topic and GroupId", nameof(options));
        }

        _log = log;
        _buffer = Channel.CreateBounded<KafkaRecord>(new BoundedChannelOptions(_options.BufferedRecords) { SingleReader = true, SingleWriter = true });
    }

    /// <summary>How long after opening the first record arrived (joining the group, fetching); <see langword="null"/> before it.</summary>
    public TimeSpan? TimeToFirstRecord { get; private set; }

    /// <summary>Records consumed so far.</summary>
    public long Consumed => Interlocked.Read(ref _consumed);

    /// <summary>Successful offset commits so far.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Records consumed but not yet acknowledged, in partitions this consumer still owns.</summary>
    public long InFlight => _tracker.InFlight;

    /// <summary>The partitions currently assigned to this consumer.</summary>
    public IReadOnlyList<int> AssignedPartitions => _consumer?.Assignment.Select(p => p.Partition.Value).Order().ToArray() ?? [];

    /// <inheritdoc />
    public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _clock = context.TimeProvider;
        var config = new ConsumerConfig
        {
            BootstrapServers = _options.BootstrapServers,
            GroupId = _options.GroupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            SessionTimeoutMs = _options.SessionTimeoutMs,
            HeartbeatIntervalMs = Math.Max(100, _options.SessionTimeoutMs / 6),
            AllowAutoCreateTopics = true,
        };
        _consumer = new ConsumerBuilder<string?, byte[]>(config)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                Interlocked.Exchange(ref _assigned, 1);
                _log?.Invoke($"assigned {Describe(partitions)}");
            })
            .SetPartitionsRevokedHandler((consumer, partitions) =>
            {
                // Cooperative: only these partitions move. Commit what is done, forget the rest
                // (their in-flight records will be processed again by the new owner).
                var revoked = partitions.Select(p => p.TopicPartition).ToArray();
                Commit(consumer, _tracker.Committable(revoked), "revoke");
                _tracker.Forget(revoked);
                _log?.Invoke($"revoked {Describe(revoked)}");
            })
            .SetPartitionsLostHandler((_, partitions) =>
            {
                _tracker.Forget(partitions.Select(p => p.TopicPartition));
                _log?.Invoke($"lost {Describe(partitions.Select(p => p.TopicPartition))}");
            })
            .SetErrorHandler((_, error) => _log?.Invoke($"kafka: {error.Reason}"))
            .Build();
        _consumer.Subscribe(_options.Topic);
        _thread = new Thread(ConsumeLoop) { IsBackground = true, Name = "kafka-source " + _options.Topic };
        _thread.Start();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<KafkaRecord> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(() => _stop.Cancel());
        await foreach (var record in _buffer.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            yield return record;
        }
    }

    /// <inheritdoc />
    public ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        // Stop consuming; the consumer stays open for the final commit in DisposeAsync.
        _stop.Cancel();
        _thread?.Join();
        return ValueTask.CompletedTask;
    }

    /// <summary>Commits every acknowledged offset and leaves the group.</summary>
    /// <returns>A task that completes when the consumer is closed.</returns>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        _stop.Cancel();
        _thread?.Join();
        if (_consumer is { } consumer)
        {
            CommitBeforeLeaving(consumer);
            consumer.Close();
            consumer.Dispose();
            _consumer = null;
        }

        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    private void ConsumeLoop()
    {
        var consumer = _consumer!;
        var token = _stop.Token;
        long lastCommit = _clock.GetTimestamp();
        long lastRecord = lastCommit;
        long opened = lastCommit;
        long? started = null;
        try
        {
            while (!token.IsCancellationRequested)
            {
                if (_options.MaxRecords is { } max && Consumed >= max)
                {
                    break;
                }

                var result = consumer.Consume(100);
                if (_clock.GetElapsedTime(lastCommit) >= _options.CommitInterval)
                {
                    Commit(consumer, _tracker.Committable(), "interval");
                    lastCommit = _clock.GetTimestamp();
                }

                if (result is null || result.IsPartitionEOF)
                {
                    if (_options.IdleTimeout is { } idle && Volatile.Read(ref _assigned) == 1 && _clock.GetElapsedTime(lastRecord) >= idle)
                    {
                        _log?.Invoke($"no record for {idle.TotalSeconds:0.#} s; stopping");
                        break;
                    }

                    continue;
                }

                lastRecord = _clock.GetTimestamp();
                TimeToFirstRecord ??= _clock.GetElapsedTime(opened);
                if (_options.MaxRecordsPerSecond is { } rate)
                {
                    // The schedule starts at the first record, so joining the group does not build up a burst.
                    started ??= _clock.GetTimestamp();
                    var ahead = TimeSpan.FromSeconds(Consumed / rate) - _clock.GetElapsedTime(started.Value);
                    if (ahead > TimeSpan.Zero && token.WaitHandle.WaitOne(ahead))
                    {
                        // Stopped while throttling: this record is not registered, so it stays uncommitted.
                        break;
                    }
                }

                var record = new KafkaRecord(result, _tracker.Register(result.TopicPartitionOffset));
                Interlocked.Increment(ref _consumed);
                while (!_buffer.Writer.TryWrite(record))
                {
                    // Backpressure: keep committing while the pipeline catches up.
                    try
                    {
                        _buffer.Writer.WaitToWriteAsync(token).AsTask().Wait(100, token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    if (_clock.GetElapsedTime(lastCommit) >= _options.CommitInterval)
                    {
                        Commit(consumer, _tracker.Committable(), "interval");
                        lastCommit = _clock.GetTimestamp();
                    }
                }
            }
        }
        catch (ConsumeException e)
        {
            _log?.Invoke($"consume failed: {e.Error.Reason}");
            _buffer.Writer.TryComplete(new InvalidOperationException($"Kafka topic '{_options.Topic}' at {_options.BootstrapServers}: {e.Error.Reason}", e));
            return;
        }
        finally
        {
            _buffer.Writer.TryComplete();
        }
    }

    private void CommitBeforeLeaving(IConsumer<string?, byte[]> consumer)
    {
        // The last commit must not be lost to a rebalance that another member's exit started
        // (the broker rejects commits of the old generation): take part in the rebalance by polling,
        // then try again. Records such polls return are not registered, so they are never committed.
        for (int attempt = 0; attempt < 20; attempt++)
        {
            if (Commit(consumer, _tracker.Committable(), "close"))
            {
                return;
            }

            consumer.Consume(250);
        }
    }

    private bool Commit(IConsumer<string?, byte[]> consumer, List<TopicPartitionOffset> offsets, string why)
    {
        if (offsets.Count == 0)
        {
            return true;
        }

        try
        {
            consumer.Commit(offsets);
            _tracker.MarkCommitted(offsets);
            Interlocked.Increment(ref _commits);
            return true;
        }
        catch (KafkaException e)
        {
            // Nothing is lost: the offsets are offered again at the next commit (interval, revoke or close);
            // during a rebalance the broker rejects commits of the old generation (ILLEGAL_GENERATION).
            _log?.Invoke($"commit on {why} failed ({e.Error.Reason}) for {string.Join(", ", offsets)}");
            return false;
        }
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) =>
        string.Join(",", partitions.Select(p => p.Partition.Value).Order());

    private static string Describe(IEnumerable<TopicPartitionOffset> partitions) => Describe(partitions.Select(p => p.TopicPartition));
}
