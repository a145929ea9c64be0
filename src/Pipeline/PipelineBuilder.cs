using System.Threading.Channels;
using Flow.Pipeline.Internal;

namespace Flow.Pipeline;

/// <summary>
/// Builds a typed pipeline: sources, stages, fan-out/in and sinks. Single use: <see cref="Build"/>
/// validates the whole graph once and returns a <see cref="Pipeline"/>.
/// </summary>
/// <example>
/// <code>
/// var builder = new PipelineBuilder();
/// var squares = builder.From(Enumerable.Range(0, 1000), "numbers")
///     .Then(x => x * x, new StageOptions { Name = "square", MaxDegreeOfParallelism = 4 })
///     .Collect();
/// var result = await builder.Build().RunAsync();
/// </code>
/// </example>
public sealed class PipelineBuilder
{
    private readonly List<Node> _nodes = [];
    private readonly List<PipelineValidationException> _problems = [];
    private readonly PipelineOptions _options;
    private Action<DeadLetter>? _deadLetterHandler;
    private bool _built;
    private int _sourceCount;

    /// <summary>Creates a builder.</summary>
    /// <param name="options">Pipeline-wide settings (name, clock, metrics); a snapshot is taken.</param>
    public PipelineBuilder(PipelineOptions? options = null)
    {
        _options = options?.Clone() ?? new PipelineOptions();
    }

    /// <summary>Adds a source that enumerates <paramref name="items"/> on a worker thread.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items.</param>
    /// <param name="name">The stage name; by default <c>source#N</c>.</param>
    /// <returns>The source's output.</returns>
    public StageHandle<T> From<T>(IEnumerable<T> items, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        return AddSource(new SourceNode<T>(NameFor("source", name), items));
    }

    /// <summary>Adds a source that enumerates an asynchronous stream.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items; enumerated once, with the run's stop token.</param>
    /// <param name="name">The stage name; by default <c>source#N</c>.</param>
    /// <returns>The source's output.</returns>
    public StageHandle<T> From<T>(IAsyncEnumerable<T> items, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        return AddSource(new SourceNode<T>(NameFor("source", name), _ => items));
    }

    /// <summary>Adds a source that reads a channel until it is completed.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="reader">The channel's reader.</param>
    /// <param name="name">The stage name; by default <c>source#N</c>.</param>
    /// <returns>The source's output.</returns>
    public StageHandle<T> From<T>(ChannelReader<T> reader, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return AddSource(new SourceNode<T>(NameFor("source", name), reader.ReadAllAsync));
    }

    /// <summary>Adds a source stage with an open/read/close lifecycle.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The source.</param>
    /// <param name="name">The stage name; by default <c>source#N</c>.</param>
    /// <returns>The source's output.</returns>
    public StageHandle<T> From<T>(ISourceStage<T> source, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return AddSource(new SourceNode<T>(NameFor("source", name), source));
    }

    /// <summary>
    /// Merges several outputs into one, in arrival order. The merge completes only when ALL of its
    /// inputs have completed.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="inputs">Two or more outputs of this builder.</param>
    /// <returns>The merged output.</returns>
    public StageHandle<T> Merge<T>(params StageHandle<T>[] inputs) => Merge(null, inputs);

    /// <summary>Merges several outputs into one; see <see cref="Merge{T}(StageHandle{T}[])"/>.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="options">Name and capacity of the merge.</param>
    /// <param name="inputs">Two or more outputs of this builder.</param>
    /// <returns>The merged output.</returns>
    public StageHandle<T> Merge<T>(StageOptions? options, params StageHandle<T>[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var snapshot = Snapshot(options);
        var node = new TransformNode<T, T>("merge", NameFor("merge", snapshot.Name), snapshot, new SyncProcessor<T, T>(static x => x));
        Register(node);
        if (inputs.Length < 2)
        {
            _problems.Add(new PipelineValidationException(node.Name, "a merge needs at least two inputs"));
        }

        foreach (var input in inputs)
        {
            ArgumentNullException.ThrowIfNull(input, nameof(inputs));
            Connect(input, node);
        }

        return new StageHandle<T>(this, node, 0);
    }

    /// <summary>Receives every dead letter as it happens (e.g. to write a dead-letter file).</summary>
    /// <param name="handler">Called on the failing stage's worker; it must be thread-safe. If it throws, the run fails.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder OnDeadLetter(Action<DeadLetter> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _deadLetterHandler += handler;
        return this;
    }

    /// <summary>
    /// Validates the whole graph and returns the pipeline. Checks: at least one source; every output
    /// connected exactly once; every branch ends in a sink; no stage object or name used twice.
    /// </summary>
    /// <returns>The pipeline, ready to run once.</returns>
    /// <exception cref="PipelineValidationException">The graph is invalid; the message names the stage.</exception>
    /// <exception cref="InvalidOperationException">The builder was already built.</exception>
    public Pipeline Build()
    {
        if (_built)
        {
            throw new InvalidOperationException("this builder has already built its pipeline; a builder is single use");
        }

        _built = true;
        if (_problems.Count > 0)
        {
            throw _problems[0];
        }

        if (!_nodes.Any(n => n.Kind == "source"))
        {
            throw new PipelineValidationException(null, "the pipeline has no source; start it with From(...)");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var users = new Dictionary<object, Node>(ReferenceEqualityComparer.Instance);
        foreach (var node in _nodes)
        {
            if (!names.Add(node.Name))
            {
                throw new PipelineValidationException(node.Name, "two stages have this name; stage names must be unique");
            }

            if (node.UserObject is { } user)
            {
                if (users.TryGetValue(user, out var other))
                {
                    throw new PipelineValidationException(node.Name, $"its stage object is also used by stage '{other.Name}'; create one instance per stage (or pass a factory for replicas)");
                }

                users.Add(user, node);
            }

            for (int port = 0; port < node.Outputs.Length; port++)
            {
                if (node.Outputs[port] is null)
                {
                    string which = node.Outputs.Length > 1 ? $"output {port} is" : "its output is";
                    throw new PipelineValidationException(node.Name, $"{which} not connected; end every branch with To(...), Collect() or another stage");
                }
            }
        }

        return new Pipeline(_options, _nodes.ToArray(), _deadLetterHandler);
    }

    internal StageHandle<TOut> AddTransform<TIn, TOut>(StageHandle<TIn> input, string kind, ItemProcessor<TIn, TOut> processor, StageOptions? options)
    {
        var snapshot = Snapshot(options);
        var node = new TransformNode<TIn, TOut>(kind, NameFor(kind, snapshot.Name), snapshot, processor);
        return Attach<TIn, TOut>(input, node);
    }

    internal StageHandle<TOut> AddMany<TIn, TOut>(StageHandle<TIn> input, ItemProcessor<TIn, IEnumerable<TOut>> processor, StageOptions? options)
    {
        var snapshot = Snapshot(options);
        var node = new ManyNode<TIn, TOut>("many", NameFor("many", snapshot.Name), snapshot, processor);
        return Attach<TIn, TOut>(input, node);
    }

    internal StageHandle<T[]> AddBatch<T>(StageHandle<T> input, BatchOptions batch, StageOptions? options)
    {
        var snapshot = Snapshot(options);
        snapshot.MaxDegreeOfParallelism = 1;
        var node = new BatchNode<T>(NameFor("batch", snapshot.Name), snapshot, batch.Clone());
        if (snapshot.FullMode != FullMode.Wait)
        {
            _problems.Add(new PipelineValidationException(node.Name, "a batch stage always applies backpressure; put load shedding on the stage before or after it"));
        }

        return Attach<T, T[]>(input, node);
    }

    internal StageHandle<T> AddUnbatch<T>(StageHandle<T[]> input, StageOptions? options)
    {
        var snapshot = Snapshot(options);
        var node = new UnbatchNode<T>(NameFor("unbatch", snapshot.Name), snapshot);
        return Attach<T[], T>(input, node);
    }

    internal StageHandle<T>[] AddFanOut<T>(StageHandle<T> input, string kind, int branches, FanOutMode mode, Func<T, int>? partition, StageOptions? options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(branches, 1);
        var snapshot = Snapshot(options);
        snapshot.MaxDegreeOfParallelism = 1;
        var node = new FanOutNode<T>(kind, NameFor(kind, snapshot.Name), snapshot, branches, mode, partition);
        Register(node);
        Connect(input, node);
        var handles = new StageHandle<T>[branches];
        for (int i = 0; i < branches; i++)
        {
            handles[i] = new StageHandle<T>(this, node, i);
        }

        return handles;
    }

    internal Node AddSink<T>(StageHandle<T> input, ItemProcessor<T, Unit> processor, StageOptions? options, Action? onCompleted = null, string kind = "sink")
    {
        var snapshot = Snapshot(options);
        var node = new SinkNode<T>(kind, NameFor(kind, snapshot.Name), snapshot, processor, onCompleted);
        Register(node);
        Connect(input, node);
        return node;
    }

    private StageHandle<TOut> Attach<TIn, TOut>(StageHandle<TIn> input, Node node)
    {
        Register(node);
        Connect(input, node);
        return new StageHandle<TOut>(this, node, 0);
    }

    private StageHandle<T> AddSource<T>(SourceNode<T> node)
    {
        EnsureNotBuilt();
        if (_sourceCount >= Packet<T>.MaxSources)
        {
            throw new InvalidOperationException($"source '{node.Name}': a pipeline has at most {Packet<T>.MaxSources} sources");
        }

        node.SourceIndex = _sourceCount++;
        Register(node);
        return new StageHandle<T>(this, node, 0);
    }

    private void Register(Node node)
    {
        EnsureNotBuilt();
        node.Id = _nodes.Count;
        _nodes.Add(node);
    }

    private void Connect<T>(StageHandle<T> input, Node consumer)
    {
        if (!ReferenceEquals(input.Builder, this))
        {
            _problems.Add(new PipelineValidationException(consumer.Name, $"its input '{input.StageName}' belongs to another builder"));
            return;
        }

        if (input.Node.Outputs[input.Port] is { } existing)
        {
            _problems.Add(new PipelineValidationException(
                input.StageName,
                $"its output is used twice (by '{existing.Name}' and '{consumer.Name}'); split it explicitly with Broadcast, Distribute or PartitionBy"));
            return;
        }

        input.Node.Outputs[input.Port] = consumer;
        consumer.Inputs.Add(input.Node);
    }

    private string NameFor(string kind, string? name) => name ?? $"{kind}#{_nodes.Count}";

    private static StageOptions Snapshot(StageOptions? options) => options?.Clone() ?? new StageOptions();

    private void EnsureNotBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException("this builder has already built its pipeline; a builder is single use");
        }
    }
}
