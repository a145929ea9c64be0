using System.Numerics.Tensors;
using Flow.Neural.Internal.Layers;

namespace Flow.Neural.Internal.Training;

/// <summary>
/// Runs one chunk of a batch through a model: forward, loss, backward. The loss gradient is scaled by the
/// chunk's share of the batch, so the chunks' parameter gradients add up to the batch mean's; weight gradients
/// that layers can defer go to a <see cref="DeferredBatch"/> instead. Keeps one set of layer states per chunk
/// size (chunk sizes differ by at most one; a change of shape would reallocate every layer's buffers).
/// </summary>
/// <param name="model">The model (or replica) the chunks run on.</param>
internal sealed class ChunkRunner(Sequential model)
{
    private readonly List<Buffers> _buffers = [];

    /// <summary>The activations one chunk may hold, in bytes: one core's L2 (2 MiB on the benchmark host, 1–2 MiB on current x86 server cores).</summary>
    internal const int ActivationBudget = 2 << 20;

    /// <summary>
    /// How many rows per chunk a one-worker step of <paramref name="model"/> on examples of <paramref name="exampleShape"/>
    /// should run, or 0 for the whole batch at once. A chunk holds about <see cref="ActivationBudget"/> of activations
    /// (the sum of every layer's output per example), and chunking is chosen only where the activations dominate:
    /// a chunk's activations at least the parameters (each chunk reads the weights again for its forward and
    /// input-gradient passes). The Fashion CNN (180 KB of activations per example, 0.8 MB of parameters) gets 11 rows
    /// (a batch of 128 then runs in 16 chunks of 8); the MLP (9 KB per example) gets 223, so it runs whole up to a batch of 445.
    /// </summary>
    internal static int RowsPerChunk(Sequential model, ReadOnlySpan<int> exampleShape)
    {
        LayerState[] states = model.CreateStates(0, model.Layers.Count);
        var context = new LayerContext(model.Options, Training: false);
        Tensor x = new([1, .. exampleShape]);
        long activations = x.Length;
        for (int i = 0; i < model.Layers.Count; i++)
        {
            // One layer at a time: a range of layers would fuse convolution, ReLU and pool (inference).
            x = model.ForwardRange(x, states, i, i + 1, context);
            activations += x.Length;
        }

        long activationBytes = activations * sizeof(float);
        long parameterBytes = model.Parameters.Sum(p => (long)p.Value.Length) * sizeof(float);
        int rows = (int)Math.Max(1, ActivationBudget / activationBytes);
        return rows * activationBytes >= parameterBytes ? rows : 0;
    }

    /// <summary>Runs rows [<paramref name="first"/>, +<paramref name="count"/>) of the batch and returns their mean loss.</summary>
    /// <param name="inputs">The whole batch's inputs.</param>
    /// <param name="targets">The whole batch's targets.</param>
    /// <param name="first">The chunk's first row.</param>
    /// <param name="count">The chunk's rows.</param>
    /// <param name="loss">The loss function.</param>
    /// <param name="deferred">Where the deferred weight gradients' rows go.</param>
    internal float Run(Tensor inputs, Tensor targets, int first, int count, Loss loss, DeferredBatch deferred)
    {
        Buffers buffers = BuffersFor(count);
        Tensor x = BatchSplit.CopyRows(inputs, first, count, ref buffers.Inputs);
        Tensor y = BatchSplit.CopyRows(targets, first, count, ref buffers.Targets);
        if (!ReferenceEquals(buffers.Options, model.Options))
        {
            buffers.Options = model.Options;
            buffers.ForwardContext = new LayerContext(model.Options, Training: true);
            buffers.BackwardContext = new LayerContext(model.Options, Training: true, DeferWeightGradients: !deferred.IsEmpty, SkipInputGradient: true);
        }

        int layers = model.Layers.Count;
        Tensor output = model.ForwardRange(x, buffers.Layers, 0, layers, buffers.ForwardContext!);
        if (buffers.OutputGradient is null || !buffers.OutputGradient.HasShape([.. output.Shape]))
        {
            buffers.OutputGradient = new Tensor([.. output.Shape]);
        }

        float value = loss.Compute(output, y, buffers.OutputGradient);
        int batch = inputs.Dim(0);
        if (count != batch)
        {
            Span<float> g = buffers.OutputGradient.Span;
            TensorPrimitives.Multiply(g, (float)count / batch, g);
        }

        model.BackwardRange(buffers.OutputGradient, buffers.Layers, 0, layers, buffers.BackwardContext!);
        if (!deferred.IsEmpty)
        {
            deferred.Collect(model, buffers.Layers, first);
        }

        return value;
    }

    private Buffers BuffersFor(int rows)
    {
        foreach (Buffers b in _buffers)
        {
            if (b.Rows == rows)
            {
                return b;
            }
        }

        var created = new Buffers(rows, model.CreateStates(0, model.Layers.Count));
        _buffers.Add(created);
        return created;
    }

    /// <summary>The layer states and input, target and output-gradient buffers for chunks of one size.</summary>
    private sealed class Buffers(int rows, LayerState[] layers)
    {
        internal int Rows { get; } = rows;

        internal LayerState[] Layers { get; } = layers;

        internal Tensor? Inputs;

        internal Tensor? Targets;

        internal Tensor? OutputGradient;

        /// <summary>The model's options the two contexts were made from (a caller may replace a model's options).</summary>
        internal ComputeOptions? Options;

        internal LayerContext? ForwardContext;

        internal LayerContext? BackwardContext;
    }
}
