namespace Flow.Neural.Internal.Layers;

/// <summary>
/// The activations and scratch buffers of one layer for one in-flight batch. Buffers are reused
/// between calls and reallocated only when the shape changes.
/// </summary>
internal sealed class LayerState
{
    internal Tensor? Input { get; set; }

    internal Tensor? Output;

    /// <summary>The gradient that arrived from above, kept when the weight gradient is deferred.</summary>
    internal Tensor? GradOutput;

    internal Tensor? GradInput;

    internal float[]? Scratch;

    internal float[]? Scratch2;

    internal int[]? Indices;

    internal static Tensor Ensure(ref Tensor? buffer, params int[] shape)
    {
        if (buffer is null || !buffer.HasShape(shape))
        {
            buffer = new Tensor(shape);
        }

        return buffer;
    }

    internal static float[] Ensure(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length != length)
        {
            buffer = new float[length];
        }

        return buffer;
    }
}
