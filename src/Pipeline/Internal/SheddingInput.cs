using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;

namespace Flow.Pipeline.Internal;

/// <summary>
/// The input of a stage whose <see cref="FullMode"/> sheds load: it never makes the producer wait.
/// Arrivals go into a bounded channel that drops per the mode; a pump hands an item to the worker
/// block only when a worker slot is free, so what waits is always what the mode says it keeps
/// (for <see cref="FullMode.LatestOnly"/>, the newest item).
/// </summary>
#pragma warning disable CA1001 // The SemaphoreSlim never allocates a wait handle (only WaitAsync is used), so there is nothing to dispose.
internal sealed class SheddingInput<T> : ITargetBlock<Packet<T>>
{
    private readonly Channel<Packet<T>> _channel;
    private readonly SemaphoreSlim _slots;
    private readonly StageMetrics _metrics;
    private ITargetBlock<Packet<T>>? _worker;
    private Task _pump = Task.CompletedTask;
    private int _count;

    public SheddingInput(StageOptions options, StageMetrics metrics)
    {
        _metrics = metrics;
        int capacity = options.FullMode == FullMode.LatestOnly ? 1 : options.BoundedCapacity;
        var mode = options.FullMode == FullMode.DropNewest ? BoundedChannelFullMode.DropWrite : BoundedChannelFullMode.DropOldest;
        _channel = Channel.CreateBounded<Packet<T>>(
            new BoundedChannelOptions(capacity) { FullMode = mode, SingleReader = true },
            dropped =>
            {
                Interlocked.Decrement(ref _count);
                _metrics.Drop();

                // Nobody else will see a shed item: release what it holds now (a decoded frame's
                // native image) rather than when the garbage collector gets to it.
                (dropped.Value as IDisposable)?.Dispose();
            });
        Capacity = capacity;
        _slots = new SemaphoreSlim(options.MaxDegreeOfParallelism, options.MaxDegreeOfParallelism);
    }

    public int Capacity { get; }

    public int Count => Volatile.Read(ref _count);

    public Task Completion => _pump;

    /// <summary>Starts handing items to <paramref name="worker"/>; completes it when the input ends.</summary>
    public void Start(ITargetBlock<Packet<T>> worker, CancellationToken cancellationToken)
    {
        _worker = worker;
        _pump = Task.Run(() => PumpAsync(cancellationToken), CancellationToken.None);
    }

    /// <summary>A worker finished an item: the pump may hand over the next one.</summary>
    public void ReleaseSlot() => _slots.Release();

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        var reader = _channel.Reader;
        var worker = _worker!;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (!reader.TryRead(out var packet))
                {
                    _slots.Release();
                    continue;
                }

                Interlocked.Decrement(ref _count);
                if (!worker.Post(packet) && !await worker.SendAsync(packet).ConfigureAwait(false))
                {
                    return;
                }
            }

            worker.Complete();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run was aborted; the worker block is canceled by the same token.
        }
    }

    public DataflowMessageStatus OfferMessage(DataflowMessageHeader messageHeader, Packet<T> messageValue, ISourceBlock<Packet<T>>? source, bool consumeToAccept)
    {
        if (consumeToAccept)
        {
            if (source is null)
            {
                return DataflowMessageStatus.Declined;
            }

            messageValue = source.ConsumeMessage(messageHeader, this, out bool consumed);
            if (!consumed)
            {
                return DataflowMessageStatus.NotAvailable;
            }
        }

        Interlocked.Increment(ref _count);
        if (!_channel.Writer.TryWrite(messageValue))
        {
            Interlocked.Decrement(ref _count);
            return DataflowMessageStatus.DecliningPermanently;
        }

        return DataflowMessageStatus.Accepted;
    }

    public void Complete() => _channel.Writer.TryComplete();

    public void Fault(Exception exception) => _channel.Writer.TryComplete(exception);
}
#pragma warning restore CA1001
