using System.Threading.Tasks.Dataflow;

namespace Flow.Pipeline.Internal;

/// <summary>
/// Base of the nodes that process items with user code (transform, 1→N, sink): the input queue
/// (bounded, or a shedding buffer per <see cref="FullMode"/>) and the processor's lifecycle.
/// </summary>
internal abstract class StageNode<TIn, TOut> : Node, IPacketInput<TIn>
{
    private bool _opened;

    protected StageNode(string kind, string name, StageOptions options, ItemProcessor<TIn, TOut> processor, int outputPorts = 1)
        : base(kind, name, options, outputPorts)
    {
        Processor = processor;
    }

    public ItemProcessor<TIn, TOut> Processor { get; }

    public StageOptions StageOptions => Options!;

    protected SheddingInput<TIn>? Shedding { get; private set; }

    protected ItemRunner<TIn, TOut> Runner { get; private set; } = null!;

    protected RunContext Context { get; private set; } = null!;

    protected abstract ITargetBlock<Packet<TIn>> Worker { get; }

    public ITargetBlock<Packet<TIn>> Target => Shedding is { } shedding ? shedding : Worker;

    public override Type? InputType => typeof(TIn);

    public override object? UserObject => Processor.UserObject;

    public override long Capacity => StageOptions.BoundedCapacity + (StageOptions.FullMode == FullMode.Wait ? 0 : StageOptions.FullMode == FullMode.LatestOnly ? 1 : StageOptions.BoundedCapacity);

    public override bool NeedsClose => _opened;

    public override void Initialize(RunContext context)
    {
        Context = context;
        Runner = new ItemRunner<TIn, TOut>(Name, StageOptions.ErrorPolicy, Processor, Metrics, context);
        if (StageOptions.FullMode != FullMode.Wait)
        {
            Shedding = new SheddingInput<TIn>(StageOptions, Metrics);
        }

        CreateWorker(context);
        var worker = Worker;
        context.Token.UnsafeRegister(static (state, token) => ((IDataflowBlock)state!).Fault(new OperationCanceledException(token)), worker);
        Shedding?.Start(worker, context.Token);
    }

    protected abstract void CreateWorker(RunContext context);

    protected ExecutionDataflowBlockOptions WorkerOptions(RunContext context) => new()
    {
        BoundedCapacity = StageOptions.BoundedCapacity,
        MaxDegreeOfParallelism = StageOptions.MaxDegreeOfParallelism,
        EnsureOrdered = StageOptions.EnsureOrdered,
        SingleProducerConstrained = false,
        TaskScheduler = StageOptions.TaskScheduler ?? TaskScheduler.Default,
        MaxMessagesPerTask = StageOptions.MaxItemsPerTask ?? DataflowBlockOptions.Unbounded,
    };

    /// <summary>Wraps the per-item function so a shedding input learns when a worker slot frees up.</summary>
    protected Func<Packet<TIn>, Packet<TOut>> SyncBody()
    {
        var runner = Runner;
        if (Shedding is not { } shedding)
        {
            return runner.Run;
        }

        return packet =>
        {
            try
            {
                return runner.Run(packet);
            }
            finally
            {
                shedding.ReleaseSlot();
            }
        };
    }

    protected Func<Packet<TIn>, Task<Packet<TOut>>> AsyncBody()
    {
        var runner = Runner;
        if (Shedding is not { } shedding)
        {
            return runner.RunAsync;
        }

        return async packet =>
        {
            try
            {
                return await runner.RunAsync(packet).ConfigureAwait(false);
            }
            finally
            {
                shedding.ReleaseSlot();
            }
        };
    }

    public override void Complete() => Target.Complete();

    public override async ValueTask OpenAsync(RunContext context)
    {
        if (!Processor.HasLifecycle)
        {
            return;
        }

        await Processor.OpenAsync(Name, StageOptions.MaxDegreeOfParallelism, context.Time, context.Token).ConfigureAwait(false);
        _opened = true;
    }

    public override ValueTask CloseAsync(CancellationToken cancellationToken) => Processor.CloseAsync(cancellationToken);

    protected int QueueDepthOf(int workerInputCount) => workerInputCount + (Shedding?.Count ?? 0);
}
