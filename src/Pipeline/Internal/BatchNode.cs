using System.Threading.Tasks.Dataflow;

namespace Flow.Pipeline.Internal;

/// <summary>
/// Dynamic batching: emits a batch when it holds MaxBatchSize items or when its first item has
/// waited MaxDelay (timer on the pipeline's <see cref="TimeProvider"/>), and the partial batch when
/// the input completes (end of data or a graceful stop).
/// </summary>
#pragma warning disable CA1001 // The SemaphoreSlim never allocates a wait handle (only WaitAsync is used), so there is nothing to dispose.
internal sealed class BatchNode<T>(string name, StageOptions options, BatchOptions batch)
    : Node("batch", name, options, 1), IPacketInput<T>
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Packet<T>> _current = new(batch.MaxBatchSize);
    private ActionBlock<Packet<T>> _input = null!;
    private BufferBlock<Packet<T[]>> _output = null!;
    private RunContext _context = null!;
    private ITimer? _timer;
    private long _generation;
    private Task _completion = Task.CompletedTask;

    public BatchOptions BatchOptions { get; } = batch;

    public ITargetBlock<Packet<T>> Target => _input;

    public override Type? InputType => typeof(T);

    public override Type? OutputType => typeof(T[]);

    public override Task Completion => _completion;

    /// <summary>Input queue, the batch being filled, and one finished batch waiting downstream.</summary>
    public override long Capacity => Options!.BoundedCapacity + (2L * BatchOptions.MaxBatchSize);

    public override string Describe() => base.Describe() + $" · size={BatchOptions.MaxBatchSize}" + (BatchOptions.MaxDelay is { } d ? $" · delay={d.TotalMilliseconds:0.###} ms" : string.Empty);

    public override void Initialize(RunContext context)
    {
        _context = context;
        _input = new ActionBlock<Packet<T>>(AddAsync, new ExecutionDataflowBlockOptions
        {
            BoundedCapacity = Options!.BoundedCapacity,
            CancellationToken = context.Token,
        });
        _output = new BufferBlock<Packet<T[]>>(new DataflowBlockOptions { BoundedCapacity = 1, CancellationToken = context.Token });
        var input = _input;
        Metrics.QueueDepthProbe = () => input.InputCount;
        int limit = Options!.BoundedCapacity - 1;
        FullProbe = () => input.InputCount >= limit;
        _completion = CompleteAsync();
    }

    public override void Connect() => _output.LinkTo(TargetOf<T[]>(0), new DataflowLinkOptions { PropagateCompletion = false });

    public override void Complete() => _input.Complete();

    private async Task AddAsync(Packet<T> packet)
    {
        await _gate.WaitAsync(_context.Token).ConfigureAwait(false);
        long start = 0;
        long waited = 0;
        try
        {
            _current.Add(packet);
            if (_current.Count == 1 && BatchOptions.MaxDelay is { } delay)
            {
                // One timer per batch, carrying the batch's generation: a timer that fires after its
                // batch was already emitted finds a newer generation and does nothing.
                _timer?.Dispose();
                _timer = _context.Time.CreateTimer(OnTimer, Interlocked.Read(ref _generation), delay, Timeout.InfiniteTimeSpan);
            }

            // Counted once the item is in the batch and its deadline armed, so ItemsIn tells an
            // observer (or a test on a fake clock) that the item is really waiting in a batch.
            start = Metrics.ItemIn();
            if (_current.Count >= BatchOptions.MaxBatchSize)
            {
                waited = await FlushAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
            if (start != 0)
            {
                // Waiting on a full downstream is backpressure, not work.
                Metrics.RecordBusy(start + waited);
            }
        }
    }

    private void OnTimer(object? state) => _ = FlushOnTimerAsync((long)state!);

    private async Task FlushOnTimerAsync(long generation)
    {
        try
        {
            await _gate.WaitAsync(_context.Token).ConfigureAwait(false);
            try
            {
                // A batch filled up (or was flushed) since the timer was armed: nothing to do.
                if (generation == Interlocked.Read(ref _generation) && _current.Count > 0)
                {
                    await FlushAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (OperationCanceledException) when (_context.Token.IsCancellationRequested)
        {
            // The run was aborted.
        }
        catch (ObjectDisposedException)
        {
            // The run ended while the timer fired.
        }
#pragma warning disable CA1031 // Any other failure fails the run, named after this stage.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _context.Fail(new StageFailedException(Name, StagePhase.Process, null, ex));
        }
    }

    /// <summary>Emits the current batch. Called under the gate. Returns the ticks spent waiting downstream.</summary>
    private async Task<long> FlushAsync()
    {
        int count = _current.Count;
        var items = new T[count];
        var keys = new long[count];
        for (int i = 0; i < count; i++)
        {
            items[i] = _current[i].Value;
            keys[i] = _current[i].Tag;
        }

        _current.Clear();
        Interlocked.Increment(ref _generation);
        _timer?.Dispose();
        _timer = null;
        var packet = new Packet<T[]>(items, keys[0]);
        _context.BatchTraces.Set(packet.Key, new BatchTrace(keys));
        long waited = 0;
        if (!_output.Post(packet))
        {
            long blockedFrom = Metrics.BeginWait();
            bool accepted = await _output.SendAsync(packet).ConfigureAwait(false);
            waited = Metrics.EndWait(blockedFrom);
            if (!accepted)
            {
                return waited;
            }
        }

        // ItemsOut counts batches: items in vs. batches out shows the average batch size.
        Metrics.ItemsEmitted(1);
        return waited;
    }

    private async Task CompleteAsync()
    {
        try
        {
            await _input.Completion.ConfigureAwait(false);
            await _gate.WaitAsync(_context.Token).ConfigureAwait(false);
            try
            {
                if (_current.Count > 0)
                {
                    await FlushAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _gate.Release();
            }

            _output.Complete();
        }
        finally
        {
            if (_timer is not null)
            {
                await _timer.DisposeAsync().ConfigureAwait(false);
            }
        }

        await _output.Completion.ConfigureAwait(false);
    }
}
#pragma warning restore CA1001
