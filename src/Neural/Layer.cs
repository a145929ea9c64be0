using Flow.Neural.Internal.Layers;

namespace Flow.Neural;

/// <summary>
/// One layer of a <see cref="Sequential"/> model: a forward function, its backward pass and its parameters.
/// Create layers with the factory methods on <see cref="Layers"/>.
/// </summary>
/// <remarks>
/// A layer keeps no activations itself: each forward pass writes into a <c>LayerState</c> owned by
/// the caller, so a pipeline stage can keep one state per micro-batch while sharing the parameters.
/// </remarks>
public abstract class Layer
{
    private protected Layer()
    {
    }

    /// <summary>Gets a short description of the layer, such as <c>Dense(784→128)</c>.</summary>
    public abstract string Description { get; }

    /// <summary>Gets the layer's trainable parameters (empty for layers without any).</summary>
    public virtual IReadOnlyList<Parameter> Parameters => [];

    internal abstract LayerKind Kind { get; }

    /// <summary>The integers that, with the kind, rebuild the layer (parameters travel separately).</summary>
    internal abstract int[] Config { get; }

    internal virtual LayerState CreateState() => new();

    internal abstract Tensor Forward(Tensor input, LayerState state, LayerContext context);

    /// <summary>Adds parameter gradients and returns the gradient with respect to the input.</summary>
    internal abstract Tensor Backward(Tensor gradOutput, LayerState state, LayerContext context);

    /// <summary>
    /// Adds the weight gradients postponed by backward passes run with
    /// <see cref="LayerContext.DeferWeightGradients"/>, one state per micro-batch. Layers that never defer do nothing.
    /// </summary>
    internal virtual void FlushDeferredGradients(IReadOnlyList<LayerState> states, LayerContext context)
    {
    }

    /// <summary>
    /// Creates the batch-wide rows a data-parallel or chunked step gathers this layer's deferred weight-gradient
    /// inputs into (see <see cref="CollectDeferred"/>), or returns null for a layer that never defers.
    /// </summary>
    internal virtual DeferredRows? CreateDeferredRows() => null;

    /// <summary>
    /// Moves what a backward pass run with <see cref="LayerContext.DeferWeightGradients"/> kept in
    /// <paramref name="state"/> (one chunk of rows) into <paramref name="rows"/> from row <paramref name="firstRow"/> on,
    /// so the state can run the next chunk.
    /// </summary>
    internal virtual void CollectDeferred(LayerState state, DeferredRows rows, int firstRow)
    {
    }

    /// <summary>
    /// The granularity, in floats, of the slices <see cref="SetDeferredGradient"/> can compute of parameter
    /// <paramref name="parameter"/> (a slice starts and ends on multiples of it, or at the end).
    /// </summary>
    internal virtual int DeferredSliceUnit(int parameter) => 1;

    /// <summary>
    /// Sets floats [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>) of parameter
    /// <paramref name="parameter"/>'s gradient to the gradient of all rows gathered in <paramref name="rows"/>
    /// (in row order, so the result does not depend on who gathered which rows). Slices are independent, so
    /// workers may compute different slices at once.
    /// </summary>
    internal virtual void SetDeferredGradient(int parameter, DeferredRows rows, int first, int count, ComputeOptions options)
    {
    }

    /// <summary>
    /// Packs the weights a pipeline stage keeps cached between optimizer steps (see
    /// <see cref="LayerContext.CacheWeightPanels"/>) ahead of the first micro-batch, so a stage can do
    /// it while it would otherwise wait for its neighbour. Layers without cached weights do nothing.
    /// </summary>
    /// <param name="forward">Pack what the forward pass reads.</param>
    /// <param name="backward">Pack what the input-gradient pass reads.</param>
    internal virtual void PrepareCachedWeights(bool forward, bool backward)
    {
    }

    /// <inheritdoc/>
    public override string ToString() => Description;
}
