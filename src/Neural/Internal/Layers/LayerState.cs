namespace Flow.Neural.Internal.Layers;

/// <summary>
/// The activations and scratch buffers of one layer for one in-flight batch. Buffers are reused
/// between calls and reallocated only when the shape changes.
/// </summary>
internal sealed class LayerState
{
    /// <summary>The input of the last forward pass (not owned: the previous layer's output or the caller's batch).</summary>
    internal Tensor? Input { get; set; }

    /// <summary>The output buffer.</summary>
    internal Tensor? Output;

    /// <summary>The gradient that arrived from above, kept when the weight gradient is deferred.</summary>
    internal Tensor? GradOutput;

    /// <summary>The input-gradient buffer.</summary>
    internal Tensor? GradInput;

    /// <summary>Layer-specific scratch: dropout mask, GELU's tanh values.</summary>
    internal float[]? Scratch;

    /// <summary>A convolution's weights packed for the GEMM micro-kernel, once per forward pass.</summary>
    internal float[]? PackedWeights;

    /// <summary>A Winograd convolution's transformed weights, once per forward pass.</summary>
    internal Kernels.WinogradConvolution.AlignedBuffer TransformedWeights;

    /// <summary>The bits of the weights <see cref="TransformedWeights"/> was made from.</summary>
    internal int[]? TransformedFrom;

    /// <summary>A direct convolution's per-tap offsets into its padded input.</summary>
    internal int[]? TapOffsets;

    /// <summary>Whether the last forward pass kept what the backward pass reads (max-pool arg-max
    /// <see cref="Indices"/>). Inference passes skip it; a backward pass after one rebuilds it from
    /// <see cref="Input"/>.</summary>
    internal bool HasBackwardCache;

    /// <summary>Whether the last forward pass was an inference pass whose activations from this layer on are
    /// not what a backward pass reads: a Winograd convolution (its rounding differs from the training pass's)
    /// or a convolution fused with the ReLU and max-pool after it (only the pooled output was written). A
    /// backward pass first recomputes the layers from here on with
    /// <see cref="LayerContext.MatchTrainingArithmetic"/>, so its gradients equal those after a training forward.</summary>
    internal bool RecomputeBeforeBackward;

    /// <summary>Max-pool arg-max indices.</summary>
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

    /// <summary>Returns <paramref name="buffer"/>, replaced by a new array only when it is shorter than <paramref name="length"/> (a buffer that grows and is then reused).</summary>
    internal static float[] EnsureAtLeast(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new float[length];
        }

        return buffer;
    }
}
