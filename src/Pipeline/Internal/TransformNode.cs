using System.Threading.Tasks.Dataflow;

namespace Flow.Pipeline.Internal;

/// <summary>A 1→1 stage: a <see cref="TransformBlock{TInput, TOutput}"/> running the processor under the error policy.</summary>
internal sealed class TransformNode<TIn, TOut>(string kind, string name, StageOptions options, ItemProcessor<TIn, TOut> processor)
    : StageNode<TIn, TOut>(kind, name, options, processor)
{
    private TransformBlock<Packet<TIn>, Packet<TOut>> _block = null!;

    protected override ITargetBlock<Packet<TIn>> Worker => _block;

    public override Type? OutputType => typeof(TOut);

    public override Task Completion => _block.Completion;

    protected override void CreateWorker(RunContext context)
    {
        var options = WorkerOptions(context);
        _block = Runner.CanRunSynchronously
            ? new TransformBlock<Packet<TIn>, Packet<TOut>>(SyncBody(), options)
            : new TransformBlock<Packet<TIn>, Packet<TOut>>(AsyncBody(), options);
        var block = _block;
        Metrics.QueueDepthProbe = () => QueueDepthOf(block.InputCount);
        int limit = StageOptions.BoundedCapacity - StageOptions.MaxDegreeOfParallelism;
        FullProbe = Shedding is null ? () => block.InputCount + block.OutputCount >= limit : null;
    }

    public override void Connect()
    {
        LinkOutput(_block, StageOptions.ErrorPolicy.CanDrop);
        var block = _block;
        Metrics.BlockedProbe = BlockedWhen(() => block.OutputCount);
    }
}
