using Flow.Neural.Internal.Kernels;

namespace Flow.Neural.Internal.Layers;

/// <summary>
/// 2-D convolution over [batch, channels, height, width] by im2col + GEMM. Weights are stored
/// [outChannels, inChannels·kh·kw]; output channels are GEMM rows, split across cores.
/// </summary>
internal sealed class Conv2DLayer : Layer
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;

    internal Conv2DLayer(int inChannels, int outChannels, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, WeightInit init, int seed)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelH = kernelH;
        KernelW = kernelW;
        StrideH = strideH;
        StrideW = strideW;
        PadH = padH;
        PadW = padW;
        int fanIn = inChannels * kernelH * kernelW;
        _weight = new Parameter("weight", new Tensor(outChannels, fanIn));
        _bias = new Parameter("bias", new Tensor(outChannels));
        Init.Fill(_weight.Value.Span, fanIn, outChannels * kernelH * kernelW, init, seed);
        Parameters = [_weight, _bias];
    }

    internal int InChannels { get; }

    internal int OutChannels { get; }

    internal int KernelH { get; }

    internal int KernelW { get; }

    internal int StrideH { get; }

    internal int StrideW { get; }

    internal int PadH { get; }

    internal int PadW { get; }

    internal Parameter Weight => _weight;

    internal Parameter Bias => _bias;

    public override string Description => $"Conv2D({InChannels}→{OutChannels}, {KernelH}×{KernelW}, stride {StrideH}, pad {PadH})";

    public override IReadOnlyList<Parameter> Parameters { get; }

    internal override LayerKind Kind => LayerKind.Conv2D;

    internal override int[] Config => [InChannels, OutChannels, KernelH, KernelW, StrideH, StrideW, PadH, PadW];

    internal override Tensor Forward(Tensor input, LayerState state, LayerContext context)
    {
        if (input.Rank != 4 || input.Dim(1) != InChannels)
        {
            throw new ArgumentException($"{Description} expects input [batch, {InChannels}, height, width], got {input}", nameof(input));
        }

        int batch = input.Dim(0);
        ConvGeometry g = Geometry(input);
        int plane = g.OutH * g.OutW;
        int cols = batch * plane;
        float[] col = LayerState.Ensure(ref state.Scratch, g.ColRows * cols);
        int sampleSize = InChannels * g.Height * g.Width;
        ForEachSample(batch, context, n => ConvKernels.Im2Col(input.Data, n * sampleSize, g, col, n * plane, cols));

        float[] out2 = LayerState.Ensure(ref state.Scratch2, OutChannels * cols);
        Gemm.Multiply(
            new MatrixRef(_weight.Value.Data, 0, g.ColRows, false),
            new MatrixRef(col, 0, cols, false),
            out2, 0, cols, OutChannels, cols, g.ColRows, accumulate: false, GemmPartition.Rows, context.Options);

        Tensor output = LayerState.Ensure(ref state.Output, batch, OutChannels, g.OutH, g.OutW);
        float[] bias = _bias.Value.Data;
        for (int n = 0; n < batch; n++)
        {
            for (int oc = 0; oc < OutChannels; oc++)
            {
                ReadOnlySpan<float> src = out2.AsSpan((oc * cols) + (n * plane), plane);
                Span<float> dst = output.Data.AsSpan(((n * OutChannels) + oc) * plane, plane);
                System.Numerics.Tensors.TensorPrimitives.Add(src, bias[oc], dst);
            }
        }

        state.Input = input;
        return output;
    }

    internal override Tensor Backward(Tensor gradOutput, LayerState state, LayerContext context)
    {
        Tensor input = state.Input ?? throw new InvalidOperationException($"{Description}: backward called before forward");
        int batch = input.Dim(0);
        ConvGeometry g = Geometry(input);
        int plane = g.OutH * g.OutW;
        int cols = batch * plane;
        float[] col = state.Scratch!;

        // dY as [outChannels, batch·plane], the layout the GEMMs want.
        float[] dy2 = LayerState.Ensure(ref state.Scratch2, OutChannels * cols);
        Span<float> db = _bias.Gradient.Span;
        for (int n = 0; n < batch; n++)
        {
            for (int oc = 0; oc < OutChannels; oc++)
            {
                ReadOnlySpan<float> src = gradOutput.Data.AsSpan(((n * OutChannels) + oc) * plane, plane);
                src.CopyTo(dy2.AsSpan((oc * cols) + (n * plane), plane));
                db[oc] += System.Numerics.Tensors.TensorPrimitives.Sum(src);
            }
        }

        // dW += dY2·colᵀ.
        Gemm.Multiply(
            new MatrixRef(dy2, 0, cols, false),
            new MatrixRef(col, 0, cols, true),
            _weight.Gradient.Data, 0, g.ColRows, OutChannels, g.ColRows, cols, accumulate: true, GemmPartition.Rows, context.Options);

        // dcol = Wᵀ·dY2, written over the im2col buffer, then folded back into dX.
        Gemm.Multiply(
            new MatrixRef(_weight.Value.Data, 0, g.ColRows, true),
            new MatrixRef(dy2, 0, cols, false),
            col, 0, cols, g.ColRows, cols, OutChannels, accumulate: false, GemmPartition.Columns, context.Options);

        Tensor gradInput = LayerState.Ensure(ref state.GradInput, [.. input.Shape]);
        Array.Clear(gradInput.Data);
        int sampleSize = InChannels * g.Height * g.Width;
        ForEachSample(batch, context, n => ConvKernels.Col2Im(col, n * plane, cols, g, gradInput.Data, n * sampleSize));
        return gradInput;
    }

    private ConvGeometry Geometry(Tensor input) =>
        new(InChannels, input.Dim(2), input.Dim(3), KernelH, KernelW, StrideH, StrideW, PadH, PadW);

    private static void ForEachSample(int batch, LayerContext context, Action<int> body)
    {
        int dop = context.Options.DegreeOfParallelism;
        if (dop == 1 || batch == 1)
        {
            for (int n = 0; n < batch; n++)
            {
                body(n);
            }

            return;
        }

        Parallel.For(0, batch, new ParallelOptions { MaxDegreeOfParallelism = dop }, body);
    }
}
