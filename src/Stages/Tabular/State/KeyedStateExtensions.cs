using Flow.Pipeline;

namespace Flow.Stages.Tabular.State;

/// <summary>Wires per-key stateful stages into a pipeline.</summary>
public static class KeyedStateExtensions
{
    /// <summary>
    /// Partitions the items by key over <paramref name="partitions"/> workers, each with its own
    /// <see cref="KeyedStateStage{TIn, TKey, TState, TOut}"/>, and merges their outputs: the same key
    /// always reaches the same worker, in order, so its state needs no lock. Order across keys is not kept.
    /// </summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TState">The per-key state.</typeparam>
    /// <typeparam name="TOut">The output item type.</typeparam>
    /// <param name="builder">The builder that owns <paramref name="input"/> (it creates the merge).</param>
    /// <param name="input">The items.</param>
    /// <param name="name">The base name of the stages (<c>name</c>, or <c>name-partition</c>, <c>name#i</c> and <c>name-merge</c>).</param>
    /// <param name="partitions">How many workers; 1 means one stage without fan-out.</param>
    /// <param name="keySelector">The item's key.</param>
    /// <param name="createState">Creates the state of a new key.</param>
    /// <param name="step">Computes the output from the key's state and the item.</param>
    /// <param name="boundedCapacity">The queue length of each stage.</param>
    /// <returns>The outputs of all partitions.</returns>
    public static StageHandle<TOut> ThenPerKey<TIn, TKey, TState, TOut>(
        this PipelineBuilder builder,
        StageHandle<TIn> input,
        string name,
        int partitions,
        Func<TIn, TKey> keySelector,
        Func<TKey, TState> createState,
        Func<TState, TIn, TOut> step,
        int boundedCapacity = StageOptions.DefaultBoundedCapacity)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitions);
        if (partitions == 1)
        {
            return input.Then(new KeyedStateStage<TIn, TKey, TState, TOut>(keySelector, createState, step), new StageOptions { Name = name, BoundedCapacity = boundedCapacity });
        }

        var branches = input.PartitionBy(keySelector, partitions, new StageOptions { Name = name + "-partition", BoundedCapacity = boundedCapacity });
        var outputs = new StageHandle<TOut>[partitions];
        for (int i = 0; i < partitions; i++)
        {
            outputs[i] = branches[i].Then(
                new KeyedStateStage<TIn, TKey, TState, TOut>(keySelector, createState, step),
                new StageOptions { Name = $"{name}#{i}", BoundedCapacity = boundedCapacity });
        }

        return builder.Merge(new StageOptions { Name = name + "-merge", BoundedCapacity = boundedCapacity }, outputs);
    }
}
