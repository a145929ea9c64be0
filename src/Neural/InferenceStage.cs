using Flow.Pipeline;

namespace Flow.Neural;

/// <summary>
/// Serves a <see cref="Sequential"/> inside a Flow.Pipeline: one replica of the model per stage
/// instance, fed batches of examples. Put it after <c>Batch(maxBatchSize, maxDelay)</c> for dynamic
/// batching and give the stage <c>MaxDegreeOfParallelism = N</c> for N replicas (inference data parallelism).
/// </summary>
/// <example>
/// <code>
/// builder.From(images)
///     .Batch(maxBatchSize: 32, maxDelay: TimeSpan.FromMilliseconds(5))
///     .Then(InferenceStage.Replicas(model, [1, 28, 28]), new StageOptions { Name = "cnn", MaxDegreeOfParallelism = 2 })
///     .ThenMany(scores => scores)
///     .Collect();
/// </code>
/// </example>
public sealed class InferenceStage : IStage<float[][], float[][]>
{
    private readonly Sequential _source;
    private readonly int[] _exampleShape;
    private readonly int _exampleLength;
    private Sequential? _replica;

    private InferenceStage(Sequential source, int[] exampleShape)
    {
        _source = source;
        _exampleShape = exampleShape;
        _exampleLength = exampleShape.Aggregate(1, (a, b) => a * b);
    }

    /// <summary>Creates the replica factory for a replicated stage.</summary>
    /// <param name="model">The trained model; each replica opens its own copy of it.</param>
    /// <param name="exampleShape">The shape of one example without the batch dimension, e.g. [1, 28, 28].</param>
    /// <returns>A factory that Flow.Pipeline calls once per replica.</returns>
    /// <exception cref="ArgumentException">The example shape is empty or has a non-positive dimension.</exception>
    public static Func<IStage<float[][], float[][]>> Replicas(Sequential model, IReadOnlyList<int> exampleShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(exampleShape);
        if (exampleShape.Count == 0 || exampleShape.Any(d => d <= 0))
        {
            throw new ArgumentException($"example shape [{string.Join(", ", exampleShape)}] must have positive dimensions", nameof(exampleShape));
        }

        int[] shape = [.. exampleShape];
        return () => new InferenceStage(model, shape);
    }

    /// <summary>Copies the model for this replica (the expensive step happens once, not per item).</summary>
    /// <param name="context">The stage context.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>A completed task.</returns>
    public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        lock (_source)
        {
            _replica = _source.Clone();
        }

        _replica.Options = new ComputeOptions { UseSimd = _source.Options.UseSimd };
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs one batch of examples through this replica.</summary>
    /// <param name="item">The examples, each with the example shape's number of values.</param>
    /// <param name="cancellationToken">Not observed: one forward pass is short.</param>
    /// <returns>The model output of each example, in order.</returns>
    /// <exception cref="ArgumentException">An example has the wrong number of values.</exception>
    /// <exception cref="InvalidOperationException">The stage was not opened.</exception>
    public ValueTask<float[][]> ProcessAsync(float[][] item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        Sequential model = _replica ?? throw new InvalidOperationException("the inference stage was not opened");
        if (item.Length == 0)
        {
            return ValueTask.FromResult(Array.Empty<float[]>());
        }

        var input = new Tensor([item.Length, .. _exampleShape]);
        for (int n = 0; n < item.Length; n++)
        {
            if (item[n].Length != _exampleLength)
            {
                throw new ArgumentException($"example {n} has {item[n].Length} values, expected {_exampleLength} ([{string.Join(", ", _exampleShape)}])", nameof(item));
            }

            item[n].CopyTo(input.Data, n * _exampleLength);
        }

        Tensor output = model.Forward(input);
        int width = output.Length / item.Length;
        var results = new float[item.Length][];
        for (int n = 0; n < item.Length; n++)
        {
            results[n] = output.Data.AsSpan(n * width, width).ToArray();
        }

        return ValueTask.FromResult(results);
    }

    /// <summary>Releases the replica.</summary>
    /// <param name="cancellationToken">Not observed.</param>
    /// <returns>A completed task.</returns>
    public ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        _replica = null;
        return ValueTask.CompletedTask;
    }
}
