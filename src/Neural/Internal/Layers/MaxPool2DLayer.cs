using Flow.Neural.Internal.Kernels;

namespace Flow.Neural.Internal.Layers;

/// <summary>Max pooling over [batch, channels, height, width]; remembers the argmax for the backward pass.</summary>
internal sealed class MaxPool2DLayer : Layer
{
    internal MaxPool2DLayer(int kernel, int stride)
    {
        KernelSize = kernel;
        Stride = stride;
    }

    internal int KernelSize { get; }

    internal int Stride { get; }

    public override string Description => $"MaxPool2D({KernelSize}×{KernelSize}, stride {Stride})";

    internal override LayerKind Kind => LayerKind.MaxPool2D;

    internal override int[] Config => [KernelSize, Stride];

    internal override Tensor Forward(Tensor input, LayerState state, LayerContext context)
    {
        if (input.Rank != 4)
        {
            throw new ArgumentException($"{Description} expects input [batch, channels, height, width], got {input}", nameof(input));
        }

        ConvGeometry g = Geometry(input);
        Tensor output = LayerState.Ensure(ref state.Output, input.Dim(0), input.Dim(1), g.OutH, g.OutW);
        state.Input = input;
        if (!context.Training && ConvKernels.IsPool2x2(g))
        {
            // Inference: no arg-max to remember, so the SIMD path without indices (Pool sets the flag otherwise).
            state.HasBackwardCache = false;
            ConvKernels.MaxPool2x2Values(input.Data, g.Height, g.Width, output.Data, input.Dim(0) * input.Dim(1));
            return output;
        }

        Pool(input, g, output, state, context.Options.DegreeOfParallelism);
        return output;
    }

    /// <summary>The pooling window over one plane of <paramref name="input"/> [batch, channels, height, width].</summary>
    private ConvGeometry Geometry(Tensor input) =>
        new(1, input.Dim(2), input.Dim(3), KernelSize, KernelSize, Stride, Stride, 0, 0);

    private static void Pool(Tensor input, ConvGeometry g, Tensor output, LayerState state, int dop)
    {
        int planes = input.Dim(0) * input.Dim(1);
        if (state.Indices is null || state.Indices.Length != output.Length)
        {
            state.Indices = new int[output.Length];
        }

        int[] argmax = state.Indices;
        if (dop == 1)
        {
            ConvKernels.MaxPool(input.Data, g, output.Data, argmax, 0, planes);
        }
        else
        {
            int chunk = (planes + dop - 1) / dop;
            Parallel.For(0, dop, new ParallelOptions { MaxDegreeOfParallelism = dop }, w =>
                ConvKernels.MaxPool(input.Data, g, output.Data, argmax, Math.Min(planes, w * chunk), Math.Min(planes, (w + 1) * chunk)));
        }

        state.HasBackwardCache = true;
    }

    internal override Tensor Backward(Tensor gradOutput, LayerState state, LayerContext context)
    {
        Tensor input = state.Input ?? throw new InvalidOperationException($"{Description}: backward called before forward");
        Tensor gradInput = LayerState.Ensure(ref state.GradInput, [.. input.Shape]);
        Array.Clear(gradInput.Data);
        if (!state.HasBackwardCache)
        {
            // After an inference pass: find the arg-max now (the outputs come out the same).
            Pool(input, Geometry(input), state.Output!, state, context.Options.DegreeOfParallelism);
        }

        int[] argmax = state.Indices!;
        float[] dy = gradOutput.Data;
        float[] dx = gradInput.Data;
        for (int i = 0; i < argmax.Length; i++)
        {
            dx[argmax[i]] += dy[i];
        }

        return gradInput;
    }
}
