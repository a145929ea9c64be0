using System.Threading.Tasks.Dataflow;

namespace Flow.Pipeline.Internal;

/// <summary>How a fan-out node chooses the output(s) of an item.</summary>
internal enum FanOutMode
{
    Broadcast,
    RoundRobin,
    Partition,
}

/// <summary>
/// Sends each item to one or all of its outputs with guaranteed delivery: it waits for a full
/// branch rather than dropping (unlike <see cref="BroadcastBlock{T}"/>, which keeps only the latest).
/// </summary>
internal sealed class FanOutNode<T>(string kind, string name, StageOptions options, int branches, FanOutMode mode, Func<T, int>? partition)
    : Node(kind, name, options, branches), IPacketInput<T>
{
    private ActionBlock<Packet<T>> _block = null!;
    private ITargetBlock<Packet<T>>[] _targets = [];
    private RunContext _context = null!;
    private long _next;

    public ITargetBlock<Packet<T>> Target => _block;

    public override Type? InputType => typeof(T);

    public override Type? OutputType => typeof(T);

    public override Task Completion => _block.Completion;

    public override string Describe() => base.Describe() + $" · {Outputs.Length} branches";

    public override void Initialize(RunContext context)
    {
        _context = context;
        _block = new ActionBlock<Packet<T>>(RouteAsync, new ExecutionDataflowBlockOptions
        {
            BoundedCapacity = Options!.BoundedCapacity,
            CancellationToken = context.Token,
        });
        var block = _block;
        Metrics.QueueDepthProbe = () => block.InputCount;
        int limit = Options!.BoundedCapacity - 1;
        FullProbe = () => block.InputCount >= limit;
    }

    public override void Connect()
    {
        _targets = new ITargetBlock<Packet<T>>[Outputs.Length];
        for (int i = 0; i < _targets.Length; i++)
        {
            _targets[i] = TargetOf<T>(i);
        }
    }

    public override void Complete() => _block.Complete();

    private async Task RouteAsync(Packet<T> packet)
    {
        long start = Metrics.ItemIn();
        long blocked = 0;
        switch (mode)
        {
            case FanOutMode.Broadcast:
                foreach (var target in _targets)
                {
                    blocked += await SendAsync(target, packet).ConfigureAwait(false);
                }

                break;
            case FanOutMode.RoundRobin:
                blocked += await SendAsync(_targets[(int)(_next++ % _targets.Length)], packet).ConfigureAwait(false);
                break;
            default:
                int key = partition!(packet.Value);
                blocked += await SendAsync(_targets[(int)((uint)key % (uint)_targets.Length)], packet).ConfigureAwait(false);
                break;
        }

        // Time spent waiting on a full branch is backpressure, not work: it is left out of busy time.
        Metrics.ItemOut(start == 0 ? 0 : start + blocked);
    }

    /// <summary>Hands the packet to a branch, waiting if it is full; returns the ticks spent waiting.</summary>
    private async ValueTask<long> SendAsync(ITargetBlock<Packet<T>> target, Packet<T> packet)
    {
        if (target.Post(packet))
        {
            return 0;
        }

        long from = Metrics.BeginWait();
        bool accepted = await target.SendAsync(packet).ConfigureAwait(false);
        long waited = Metrics.EndWait(from);
        if (!accepted)
        {
            _context.Token.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"stage '{Name}': a branch stopped accepting items");
        }

        return waited;
    }
}
