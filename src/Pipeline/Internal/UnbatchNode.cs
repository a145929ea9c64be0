using System.Threading.Tasks.Dataflow;

namespace Flow.Pipeline.Internal;

/// <summary>Splits arrays back into items, restoring each item's own sequence number and timestamp.</summary>
internal sealed class UnbatchNode<T>(string name, StageOptions options) : Node("unbatch", name, options, 1), IPacketInput<T[]>
{
    private TransformManyBlock<Packet<T[]>, Packet<T>> _block = null!;

    public ITargetBlock<Packet<T[]>> Target => _block;

    public override Type? InputType => typeof(T[]);

    public override Type? OutputType => typeof(T);

    public override Task Completion => _block.Completion;

    public override void Initialize(RunContext context)
    {
        var metrics = Metrics;
        _block = new TransformManyBlock<Packet<T[]>, Packet<T>>(
            packet =>
            {
                long start = metrics.ItemIn();
                var items = packet.Value ?? [];
                var output = new Packet<T>[items.Length];
                // The batch's items get their own keys back when the batch came from a batch stage
                // (and kept its length); otherwise they share the parent's key.
                bool traced = context.BatchTraces.TryGet(packet.Key, out var trace) && trace.Keys.Length == items.Length;
                for (int i = 0; i < items.Length; i++)
                {
                    output[i] = new Packet<T>(items[i], traced ? trace.Keys[i] : packet.Tag);
                }

                metrics.RecordBusy(start);
                metrics.ItemsEmitted(items.Length);
                return output;
            },
            new ExecutionDataflowBlockOptions { BoundedCapacity = Options!.BoundedCapacity, CancellationToken = context.Token });
        var block = _block;
        Metrics.QueueDepthProbe = () => block.InputCount;
        int limit = Options.BoundedCapacity - 1;
        FullProbe = () => block.InputCount + block.OutputCount >= limit;
    }

    public override void Connect()
    {
        LinkOutput(_block, canDrop: false);
        var block = _block;
        Metrics.BlockedProbe = BlockedWhen(() => block.OutputCount);
    }

    public override void Complete() => _block.Complete();
}
