using System.Threading.Tasks.Dataflow;

namespace Flow.Pipeline.Internal;

/// <summary>A terminal stage: an <see cref="ActionBlock{TInput}"/> running the processor; records end-to-end latency.</summary>
internal sealed class SinkNode<T>(string kind, string name, StageOptions options, ItemProcessor<T, Unit> processor, Action? onCompleted = null)
    : StageNode<T, Unit>(kind, name, options, processor, outputPorts: 0), ISinkNode
{
    private ActionBlock<Packet<T>> _block = null!;
    private Task _completion = Task.CompletedTask;

    protected override ITargetBlock<Packet<T>> Worker => _block;

    public override Type? OutputType => null;

    public override Task Completion => _completion;

    protected override void CreateWorker(RunContext context)
    {
        var metrics = Metrics;
        var options = WorkerOptions(context);
        if (Runner.CanRunSynchronously)
        {
            var runner = Runner;
            Action<Packet<T>> consume = packet =>
            {
                if (runner.Consume(packet) && packet.IsTimed)
                {
                    RecordEndToEnd(metrics, packet.Key);
                }
            };
            _block = new ActionBlock<Packet<T>>(Shedding is { } shedding ? ReleasingSlot(consume, shedding) : consume, options);
        }
        else
        {
            var body = AsyncBody();
            _block = new ActionBlock<Packet<T>>(
                async packet =>
                {
                    if (!(await body(packet).ConfigureAwait(false)).IsDropped && packet.IsTimed)
                    {
                        RecordEndToEnd(metrics, packet.Key);
                    }
                },
                options);
        }

        var block = _block;
        Metrics.QueueDepthProbe = () => QueueDepthOf(block.InputCount);
        int limit = StageOptions.BoundedCapacity - StageOptions.MaxDegreeOfParallelism;
        FullProbe = Shedding is null ? () => block.InputCount >= limit : null;
        _completion = onCompleted is null ? _block.Completion : CompleteAsync(_block.Completion, onCompleted);
    }

    /// <summary>Wraps the consumer so a shedding input learns when a worker slot frees up.</summary>
    private static Action<Packet<T>> ReleasingSlot(Action<Packet<T>> consume, SheddingInput<T> shedding) => packet =>
    {
        try
        {
            consume(packet);
        }
        finally
        {
            shedding.ReleaseSlot();
        }
    };

    private void RecordEndToEnd(StageMetrics metrics, long key)
    {
        if (metrics.TimingEnabled && Context.Timestamps.TryGet(key, out long sourceTimestamp))
        {
            metrics.RecordEndToEnd(sourceTimestamp);
        }
    }

    private static async Task CompleteAsync(Task completion, Action onCompleted)
    {
        await completion.ConfigureAwait(false);
        onCompleted();
    }

    public override void Connect()
    {
    }
}
