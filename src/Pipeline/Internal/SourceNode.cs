using System.Threading.Tasks.Dataflow;

namespace Flow.Pipeline.Internal;

/// <summary>
/// Pulls items from the user's source and pushes them into the first stage, stamping each with a
/// sequence number and the source timestamp. Time spent waiting on a full first stage is measured
/// exactly. A graceful stop ends the pull; an item already pulled is still delivered.
/// </summary>
internal sealed class SourceNode<T> : Node
{
    private readonly IEnumerable<T>? _enumerable;
    private readonly Func<CancellationToken, IAsyncEnumerable<T>>? _asyncEnumerable;
    private readonly ISourceStage<T>? _stage;
    private RunContext _context = null!;
    private ITargetBlock<Packet<T>> _target = null!;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _completion = null!;
    private bool _opened;

    public SourceNode(string name, IEnumerable<T> items)
        : base("source", name, null, 1)
    {
        _enumerable = items;
    }

    public SourceNode(string name, Func<CancellationToken, IAsyncEnumerable<T>> items)
        : base("source", name, null, 1)
    {
        _asyncEnumerable = items;
    }

    public SourceNode(string name, ISourceStage<T> stage)
        : base("source", name, null, 1)
    {
        _stage = stage;
    }

    /// <summary>This source's index among the pipeline's sources: the upper bits of its items' keys.</summary>
    public int SourceIndex { get; set; }

    public override Type? InputType => null;

    public override Type? OutputType => typeof(T);

    public override Task Completion => _completion;

    public override object? UserObject => _stage;

    public override bool NeedsClose => _opened;

    public override void Initialize(RunContext context)
    {
        _context = context;
        _completion = RunAsync();
    }

    public override void Connect() => _target = TargetOf<T>(0);

    public override void Complete()
    {
    }

    public override async ValueTask OpenAsync(RunContext context)
    {
        if (_stage is not null)
        {
            await _stage.OpenAsync(new StageContext(Name, 0, 1, context.Time), context.Token).ConfigureAwait(false);
            _opened = true;
        }
    }

    public override ValueTask CloseAsync(CancellationToken cancellationToken) => _stage?.CloseAsync(cancellationToken) ?? ValueTask.CompletedTask;

    public override void Start() => _started.TrySetResult();

    private async Task RunAsync()
    {
        await _started.Task.ConfigureAwait(false);
        await Task.Yield();
        try
        {
            if (_enumerable is not null)
            {
                await PumpAsync(_enumerable).ConfigureAwait(false);
            }
            else
            {
                var items = _stage is not null ? _stage.ReadAsync(_context.StopToken) : _asyncEnumerable!(_context.StopToken);
                await PumpAsync(items).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_context.StopRequested && !_context.Token.IsCancellationRequested)
        {
            // A graceful stop interrupted the source while it waited for its next item.
        }
        catch (OperationCanceledException) when (_context.Token.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            var failure = new StageFailedException(Name, StagePhase.Process, Metrics.ItemsOut, ex);
            _context.Fail(failure);
            throw failure;
        }
    }

    private async Task PumpAsync(IEnumerable<T> items)
    {
        long sequence = 0;
        foreach (var item in items)
        {
            var packet = Stamp(item, sequence++);
            if (!_target.Post(packet))
            {
                // The backpressure wait is awaited here, not in a helper: a resumed wait then
                // continues this loop directly (one state machine, measured ~3 % per item).
                long from = Metrics.BeginWait();
                if (!Waited(from, await _target.SendAsync(packet).ConfigureAwait(false)))
                {
                    return;
                }
            }

            if (Delivered(sequence))
            {
                return;
            }
        }
    }

    private async Task PumpAsync(IAsyncEnumerable<T> items)
    {
        long sequence = 0;
        await foreach (var item in items.WithCancellation(_context.StopToken).ConfigureAwait(false))
        {
            var packet = Stamp(item, sequence++);
            if (!_target.Post(packet))
            {
                long from = Metrics.BeginWait();
                if (!Waited(from, await _target.SendAsync(packet).ConfigureAwait(false)))
                {
                    return;
                }
            }

            if (Delivered(sequence))
            {
                return;
            }
        }
    }

    /// <summary>Wraps an item with its key; a timed item's source timestamp goes to the run's side table.</summary>
    private Packet<T> Stamp(T item, long sequence)
    {
        long key = Packet<T>.MakeKey(SourceIndex, sequence);
        long stamp = Metrics.SourceTimestamp();
        if (stamp == 0)
        {
            return new Packet<T>(item, key);
        }

        _context.Timestamps.Set(key, stamp);
        return new Packet<T>(item, Packet<T>.Timed(key));
    }

    /// <summary>Counts <paramref name="count"/> items handed over; returns whether a graceful stop ends the pull.</summary>
    private bool Delivered(long count)
    {
        Metrics.SourceCount(count);
        return _context.StopToken.IsCancellationRequested;
    }

    /// <summary>
    /// Ends a wait on a full first stage (backpressure), begun at <paramref name="from"/>; returns
    /// whether the stage took the item. No token is passed to the wait: registering one per wait
    /// costs more than the wait, and an aborted run faults the target, which declines the offer
    /// and ends the wait.
    /// </summary>
    private bool Waited(long from, bool accepted)
    {
        Metrics.EndWait(from);
        _context.Token.ThrowIfCancellationRequested();
        return accepted;
    }
}
