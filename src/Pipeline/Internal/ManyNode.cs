using System.Threading.Tasks.Dataflow;

namespace Flow.Pipeline.Internal;

/// <summary>
/// A 1→N stage. The processor's sequence is materialised under the error policy, so a failure part
/// way through drops (or dead-letters) the whole input item rather than half of its outputs.
/// Every output keeps the sequence number of the input it came from.
/// </summary>
internal sealed class ManyNode<TIn, TOut>(string kind, string name, StageOptions options, ItemProcessor<TIn, IEnumerable<TOut>> processor)
    : StageNode<TIn, IEnumerable<TOut>>(kind, name, options, new MaterializingProcessor(processor))
{
    private TransformManyBlock<Packet<TIn>, Packet<TOut>> _block = null!;

    protected override ITargetBlock<Packet<TIn>> Worker => _block;

    public override Type? OutputType => typeof(TOut);

    public override Task Completion => _block.Completion;

    protected override void CreateWorker(RunContext context)
    {
        var options = WorkerOptions(context);
        var metrics = Metrics;
        if (Runner.CanRunSynchronously)
        {
            var body = SyncBody();
            _block = new TransformManyBlock<Packet<TIn>, Packet<TOut>>(p => Expand(body(p), metrics), options);
        }
        else
        {
            var body = AsyncBody();
            _block = new TransformManyBlock<Packet<TIn>, Packet<TOut>>(async p => Expand(await body(p).ConfigureAwait(false), metrics), options);
        }

        var block = _block;
        Metrics.QueueDepthProbe = () => QueueDepthOf(block.InputCount);
        int limit = StageOptions.BoundedCapacity - StageOptions.MaxDegreeOfParallelism;
        FullProbe = Shedding is null ? () => block.InputCount + block.OutputCount >= limit : null;
    }

    private static Packet<TOut>[] Expand(Packet<IEnumerable<TOut>> packet, StageMetrics metrics)
    {
        if (packet.IsDropped)
        {
            return [];
        }

        var items = (TOut[])packet.Value;
        var output = new Packet<TOut>[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            output[i] = new Packet<TOut>(items[i], packet.Tag);
        }

        // ItemOut counted the input once; count the outputs instead.
        metrics.ItemsEmitted(items.Length - 1);
        return output;
    }

    public override void Connect()
    {
        LinkOutput(_block, canDrop: false);
        var block = _block;
        Metrics.BlockedProbe = BlockedWhen(() => block.OutputCount);
    }

    /// <summary>Materialises the user's sequence inside the error-policy scope.</summary>
    private sealed class MaterializingProcessor(ItemProcessor<TIn, IEnumerable<TOut>> inner) : ItemProcessor<TIn, IEnumerable<TOut>>
    {
        public override bool IsSynchronous => inner.IsSynchronous;

        public override object? UserObject => inner.UserObject;

        public override bool HasLifecycle => inner.HasLifecycle;

        public override IEnumerable<TOut> Process(TIn item) => inner.Process(item).ToArray();

        public override async ValueTask<IEnumerable<TOut>> ProcessAsync(TIn item, CancellationToken cancellationToken)
            => (await inner.ProcessAsync(item, cancellationToken).ConfigureAwait(false)).ToArray();

        public override ValueTask OpenAsync(string stageName, int replicas, TimeProvider time, CancellationToken cancellationToken)
            => inner.OpenAsync(stageName, replicas, time, cancellationToken);

        public override ValueTask CloseAsync(CancellationToken cancellationToken) => inner.CloseAsync(cancellationToken);
    }
}
