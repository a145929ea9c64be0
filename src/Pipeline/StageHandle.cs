using System.Threading.Channels;
using Flow.Pipeline.Internal;

namespace Flow.Pipeline;

/// <summary>
/// A typed output of a stage, returned by the builder. Each output is consumed exactly once: chain
/// the next stage, a sink, or split it explicitly with <see cref="Broadcast"/>, <see cref="Distribute"/>
/// or <see cref="PartitionBy{TKey}"/>.
/// </summary>
/// <typeparam name="T">The type of the items on this output.</typeparam>
public sealed class StageHandle<T>
{
    internal StageHandle(PipelineBuilder builder, Node node, int port)
    {
        Builder = builder;
        Node = node;
        Port = port;
    }

    /// <summary>The name of the stage this output belongs to.</summary>
    public string StageName => Node.Name;

    /// <summary>The builder this output belongs to (for extensions that add stages, e.g. a merge of branches).</summary>
    public PipelineBuilder Builder { get; }

    internal Node Node { get; }

    internal int Port { get; }

    /// <summary>Adds a synchronous 1→1 stage.</summary>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="transform">The work per item; may run on several threads at once if the options say so.</param>
    /// <param name="options">Name, capacity, parallelism, ordering, full mode, error policy.</param>
    /// <returns>The new stage's output.</returns>
    public StageHandle<TOut> Then<TOut>(Func<T, TOut> transform, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return Builder.AddTransform(this, "then", new SyncProcessor<T, TOut>(transform), options);
    }

    /// <summary>Adds an asynchronous 1→1 stage.</summary>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="transform">The work per item; it receives the run's cancellation token.</param>
    /// <param name="options">Name, capacity, parallelism, ordering, full mode, error policy.</param>
    /// <returns>The new stage's output.</returns>
    public StageHandle<TOut> ThenAsync<TOut>(Func<T, CancellationToken, ValueTask<TOut>> transform, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return Builder.AddTransform(this, "then", new AsyncProcessor<T, TOut>(transform), options);
    }

    /// <summary>
    /// Adds a stage object with an open/process/close lifecycle, shared by all of the stage's workers
    /// (it must be thread-safe when the degree of parallelism is above 1).
    /// </summary>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="stage">The stage.</param>
    /// <param name="options">Name, capacity, parallelism, ordering, full mode, error policy.</param>
    /// <returns>The new stage's output.</returns>
    public StageHandle<TOut> Then<TOut>(IStage<T, TOut> stage, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stage);
        return Builder.AddTransform(this, "then", new SharedStageProcessor<T, TOut>(stage), options);
    }

    /// <summary>
    /// Adds a replicated stage: the factory is called <see cref="StageOptions.MaxDegreeOfParallelism"/>
    /// times, each instance is opened, and each item borrows one instance while it is processed
    /// (data parallelism: N model sessions; instances need not be thread-safe).
    /// </summary>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="factory">Creates one replica.</param>
    /// <param name="options">Name, capacity, parallelism (= replicas), ordering, full mode, error policy.</param>
    /// <returns>The new stage's output.</returns>
    public StageHandle<TOut> Then<TOut>(Func<IStage<T, TOut>> factory, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Builder.AddTransform(this, "then", new StagePoolProcessor<T, TOut>(factory), options);
    }

    /// <summary>
    /// Adds a 1→N stage. Each input's outputs are produced in full under the error policy (a failure
    /// part way drops them all) and carry the input's sequence number. For unbounded expansions
    /// (a file into its frames) use a source stage instead.
    /// </summary>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="transform">Returns the outputs of one input; none is fine.</param>
    /// <param name="options">Name, capacity, parallelism, ordering, full mode, error policy.</param>
    /// <returns>The new stage's output.</returns>
    public StageHandle<TOut> ThenMany<TOut>(Func<T, IEnumerable<TOut>> transform, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return Builder.AddMany(this, new SyncProcessor<T, IEnumerable<TOut>>(transform), options);
    }

    /// <summary>Adds an asynchronous 1→N stage; see <see cref="ThenMany{TOut}(Func{T, IEnumerable{TOut}}, StageOptions?)"/>.</summary>
    /// <typeparam name="TOut">The output type.</typeparam>
    /// <param name="transform">Returns the outputs of one input.</param>
    /// <param name="options">Name, capacity, parallelism, ordering, full mode, error policy.</param>
    /// <returns>The new stage's output.</returns>
    public StageHandle<TOut> ThenManyAsync<TOut>(Func<T, CancellationToken, IAsyncEnumerable<TOut>> transform, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return Builder.AddMany(
            this,
            new AsyncProcessor<T, IEnumerable<TOut>>(
                async (item, token) =>
                {
                    var list = new List<TOut>();
                    await foreach (var output in transform(item, token).WithCancellation(token).ConfigureAwait(false))
                    {
                        list.Add(output);
                    }

                    return list;
                }),
            options);
    }

    /// <summary>Groups items into arrays by size OR delay (dynamic batching); see <see cref="BatchOptions"/>.</summary>
    /// <param name="batch">Size and delay.</param>
    /// <param name="options">Name and input capacity (parallelism is always 1).</param>
    /// <returns>The batches.</returns>
    public StageHandle<T[]> Batch(BatchOptions? batch = null, StageOptions? options = null) => Builder.AddBatch(this, batch ?? new BatchOptions(), options);

    /// <summary>Groups items into arrays of at most <paramref name="maxBatchSize"/>, emitting a partial batch after <paramref name="maxDelay"/>.</summary>
    /// <param name="maxBatchSize">The most items in one batch.</param>
    /// <param name="maxDelay">The longest the first item of a batch waits; <see langword="null"/> for no limit.</param>
    /// <param name="options">Name and input capacity.</param>
    /// <returns>The batches.</returns>
    public StageHandle<T[]> Batch(int maxBatchSize, TimeSpan? maxDelay = null, StageOptions? options = null)
        => Batch(new BatchOptions { MaxBatchSize = maxBatchSize, MaxDelay = maxDelay }, options);

    /// <summary>Sends every item to each of <paramref name="branches"/> outputs (the same instance to all), waiting for the slowest.</summary>
    /// <param name="branches">How many outputs; 1 or more.</param>
    /// <param name="options">Name and input capacity.</param>
    /// <returns>One output per branch.</returns>
    public StageHandle<T>[] Broadcast(int branches, StageOptions? options = null) => Builder.AddFanOut(this, "broadcast", branches, FanOutMode.Broadcast, null, options);

    /// <summary>Sends each item to one of <paramref name="branches"/> outputs, in turn (round-robin).</summary>
    /// <param name="branches">How many outputs; 1 or more.</param>
    /// <param name="options">Name and input capacity.</param>
    /// <returns>One output per branch.</returns>
    public StageHandle<T>[] Distribute(int branches, StageOptions? options = null) => Builder.AddFanOut(this, "distribute", branches, FanOutMode.RoundRobin, null, options);

    /// <summary>
    /// Sends each item to the output chosen by its key, so the same key always reaches the same
    /// branch, in order (per-key state without locks). String keys use a stable hash, so a key
    /// lands in the same branch in every run (.NET's string hash is randomized per process).
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="keySelector">The item's key.</param>
    /// <param name="partitions">How many outputs; 1 or more.</param>
    /// <param name="options">Name and input capacity.</param>
    /// <returns>One output per partition.</returns>
    public StageHandle<T>[] PartitionBy<TKey>(Func<T, TKey> keySelector, int partitions, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        var comparer = EqualityComparer<TKey>.Default;
        return Builder.AddFanOut(this, "partition", partitions, FanOutMode.Partition, item => keySelector(item) switch
        {
            null => 0,
            string text => StableHash.Of(text),
            var key => comparer.GetHashCode(key),
        }, options);
    }

    /// <summary>Ends this branch in a synchronous action.</summary>
    /// <param name="action">Called once per item.</param>
    /// <param name="options">Name, capacity, parallelism, error policy.</param>
    public void To(Action<T> action, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        Builder.AddSink(this, new SyncSinkProcessor<T>(action), options);
    }

    /// <summary>Ends this branch in an asynchronous action.</summary>
    /// <param name="action">Called once per item, with the run's cancellation token.</param>
    /// <param name="options">Name, capacity, parallelism, error policy.</param>
    public void ToAsync(Func<T, CancellationToken, ValueTask> action, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        Builder.AddSink(this, new AsyncSinkProcessor<T>(action), options);
    }

    /// <summary>Ends this branch in a sink object with an open/consume/close lifecycle.</summary>
    /// <param name="sink">The sink.</param>
    /// <param name="options">Name, capacity, parallelism, error policy.</param>
    public void To(ISinkStage<T> sink, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        Builder.AddSink(this, new SinkStageProcessor<T>(sink), options);
    }

    /// <summary>Ends this branch by writing into a channel (waiting when it is full).</summary>
    /// <param name="writer">The channel's writer.</param>
    /// <param name="completeWriter">Whether to complete the writer when the branch completes successfully.</param>
    /// <param name="options">Name, capacity, error policy.</param>
    public void To(ChannelWriter<T> writer, bool completeWriter = true, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Builder.AddSink(this, new ChannelSinkProcessor<T>(writer), options, completeWriter ? () => writer.TryComplete() : null);
    }

    /// <summary>Ends this branch by collecting its items in arrival order.</summary>
    /// <param name="options">Name and capacity; parallelism is forced to 1 so the order is kept.</param>
    /// <returns>The collection, filled as the run goes.</returns>
    public CollectedItems<T> Collect(StageOptions? options = null)
    {
        var snapshot = options?.Clone() ?? new StageOptions();
        snapshot.MaxDegreeOfParallelism = 1;
        CollectedItems<T>? collected = null;
        var node = Builder.AddSink(this, new SyncSinkProcessor<T>(item => collected!.Add(item)), snapshot, () => collected!.MarkComplete(), kind: "collect");
        collected = new CollectedItems<T>(node.Name);
        return collected;
    }
}
