namespace Flow.Neural.Internal.Layers;

/// <summary>
/// One layer's inputs and output gradients for every row of a batch, gathered from backward passes run with
/// <see cref="LayerContext.DeferWeightGradients"/> (one chunk of rows at a time, each at its own rows), so the
/// weight gradient is one GEMM over all rows instead of one per chunk.
/// </summary>
/// <param name="inputWidth">Floats per row of the layer's input.</param>
/// <param name="gradientWidth">Floats per row of the layer's output gradient.</param>
internal sealed class DeferredRows(int inputWidth, int gradientWidth)
{
    /// <summary>Gets the inputs, row-major, <see cref="Rows"/> × the input width (the array may be longer).</summary>
    internal float[] Inputs { get; private set; } = [];

    /// <summary>Gets the output gradients, row-major, <see cref="Rows"/> × the gradient width (the array may be longer).</summary>
    internal float[] Gradients { get; private set; } = [];

    /// <summary>Gets the number of rows of the batch being gathered.</summary>
    internal int Rows { get; private set; }

    /// <summary>Starts a batch of <paramref name="rows"/> rows; the arrays grow when they are too short.</summary>
    internal void Reset(int rows)
    {
        Rows = rows;
        float[]? inputs = Inputs, gradients = Gradients;
        Inputs = LayerState.EnsureAtLeast(ref inputs, rows * inputWidth);
        Gradients = LayerState.EnsureAtLeast(ref gradients, rows * gradientWidth);
    }
}
