using System.Threading.Tasks.Dataflow;

namespace Flow.Pipeline.Internal;

/// <summary>
/// One stage of the graph: its description (name, options, connections) and, once the pipeline
/// runs, its dataflow blocks. A pipeline runs once, so the two live in the same object.
/// </summary>
internal abstract class Node
{
    protected Node(string kind, string name, StageOptions? options, int outputPorts)
    {
        Kind = kind;
        Name = name;
        Options = options;
        Outputs = new Node?[outputPorts];
    }

    public string Kind { get; }

    public string Name { get; }

    public int Id { get; set; }

    /// <summary>A snapshot of the stage's options; null for sources.</summary>
    public StageOptions? Options { get; }

    public List<Node> Inputs { get; } = [];

    /// <summary>The consumer of each output port (exactly one per port in a valid graph).</summary>
    public Node?[] Outputs { get; }

    public abstract Type? InputType { get; }

    public abstract Type? OutputType { get; }

    public StageMetrics Metrics { get; private set; } = null!;

    /// <summary>The most items this stage can hold at once (for the memory bound).</summary>
    public virtual long Capacity => Options?.BoundedCapacity ?? 0;

    public abstract Task Completion { get; }

    /// <summary>The identity of the user object behind the stage (stage instance or delegate), to detect reuse.</summary>
    public virtual object? UserObject => null;

    /// <summary>Extra lines for the Mermaid export, after the options.</summary>
    public virtual string Describe() => Options is null
        ? Kind
        : $"{Kind} · dop={Options.MaxDegreeOfParallelism} · cap={Options.BoundedCapacity}"
          + (Options.FullMode != FullMode.Wait ? $" · {Options.FullMode}" : string.Empty)
          + (Options.ErrorPolicy.Kind != ErrorPolicyKind.Stop ? $" · on error: {Options.ErrorPolicy}" : string.Empty)
          + (Options.MaxDegreeOfParallelism > 1 && !Options.EnsureOrdered ? " · unordered" : string.Empty);

    public void CreateMetrics(RunContext context)
    {
        Metrics = new StageMetrics(Name, Kind, Options?.MaxDegreeOfParallelism ?? 1, Options?.BoundedCapacity ?? 0, context.Time, context.Options.MetricsEnabled, this is ISinkNode)
        {
            Upstream = Inputs.Select(n => n.Name).ToArray(),
        };
    }

    /// <summary>Creates the blocks. Called once per run, after metrics exist.</summary>
    public abstract void Initialize(RunContext context);

    /// <summary>Links the outputs to the consumers' inputs. Called after every node is initialized.</summary>
    public abstract void Connect();

    /// <summary>No more input will arrive.</summary>
    public abstract void Complete();

    public virtual ValueTask OpenAsync(RunContext context) => ValueTask.CompletedTask;

    public virtual ValueTask CloseAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Whether this node has something to close (OpenAsync succeeded with a real lifecycle).</summary>
    public virtual bool NeedsClose => false;

    /// <summary>Starts producing (sources only).</summary>
    public virtual void Start()
    {
    }

    protected ITargetBlock<Packet<T>> TargetOf<T>(int port)
    {
        var consumer = Outputs[port] ?? throw new InvalidOperationException($"stage '{Name}': output {port} is not connected");
        return ((IPacketInput<T>)consumer).Target;
    }

    /// <summary>Whether this node's input is at capacity right now (a producer would have to wait).</summary>
    public Func<bool>? FullProbe { get; protected set; }

    /// <summary>
    /// A sampling probe for backpressure: the stage has output waiting and its consumer is full.
    /// Output merely in transit (the consumer has room) does not count.
    /// </summary>
    protected Func<bool> BlockedWhen(Func<int> outputCount)
    {
        var consumer = Outputs[0]!;
        return () => outputCount() > 0 && consumer.FullProbe?.Invoke() == true;
    }

    /// <summary>Links a block's output to port 0's consumer, filtering out dropped placeholders when the stage can drop.</summary>
    protected void LinkOutput<T>(ISourceBlock<Packet<T>> source, bool canDrop)
    {
        var target = TargetOf<T>(0);
        var options = new DataflowLinkOptions { PropagateCompletion = false };
        if (canDrop)
        {
            // Two filtered links: a live item postponed by a full target is declined by the second
            // filter and stays queued; only placeholders go to the null target.
            source.LinkTo(target, options, Packet<T>.IsLive);
            source.LinkTo(DataflowBlock.NullTarget<Packet<T>>(), options, Packet<T>.IsDead);
        }
        else
        {
            source.LinkTo(target, options);
        }
    }
}

/// <summary>A node that takes packets of <typeparamref name="T"/>.</summary>
internal interface IPacketInput<T>
{
    ITargetBlock<Packet<T>> Target { get; }
}

/// <summary>Marks sinks (they record end-to-end latency).</summary>
internal interface ISinkNode
{
}
