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
        int colSize = g.ColRows * plane;
        int sampleSize = InChannels * g.Height * g.Width;

        // One im2col matrix per sample, [C·kh·kw, plane]; kept for the weight gradient.
        float[] col = LayerState.Ensure(ref state.Scratch, batch * colSize);
        ForEachSample(batch, context, n => ConvKernels.Im2Col(input.Data, n * sampleSize, g, col, n * colSize, plane));

        // out[n] = W · col[n] lands directly in NCHW order; output channels (rows) are split across cores.
        Tensor output = LayerState.Ensure(ref state.Output, batch, OutChannels, g.OutH, g.OutW);
        float[] weight = _weight.Value.Data;
        float[] bias = _bias.Value.Data;
        ForEachRowBlock(context, (r0, r1, single) =>
        {
            for (int n = 0; n < batch; n++)
            {
                Gemm.Multiply(
                    new MatrixRef(weight, r0 * g.ColRows, g.ColRows, false),
                    new MatrixRef(col, n * colSize, plane, false),
                    output.Data, ((n * OutChannels) + r0) * plane, plane, r1 - r0, plane, g.ColRows, accumulate: false, GemmPartition.Rows, single);

                // Bias while the block is still in cache, by the core that owns these channels.
                for (int oc = r0; oc < r1; oc++)
                {
                    Span<float> dst = output.Data.AsSpan(((n * OutChannels) + oc) * plane, plane);
                    System.Numerics.Tensors.TensorPrimitives.Add(dst, bias[oc], dst);
                }
            }
        });

        state.Input = input;
        return output;
    }

    internal override Tensor Backward(Tensor gradOutput, LayerState state, LayerContext context)
    {
        Tensor input = state.Input ?? throw new InvalidOperationException($"{Description}: backward called before forward");
        int batch = input.Dim(0);
        ConvGeometry g = Geometry(input);
        int plane = g.OutH * g.OutW;
        int colSize = g.ColRows * plane;
        int sampleSize = InChannels * g.Height * g.Width;
        float[] col = state.Scratch!;
        float[] dy = gradOutput.Data;

        Span<float> db = _bias.Gradient.Span;
        for (int n = 0; n < batch; n++)
        {
            for (int oc = 0; oc < OutChannels; oc++)
            {
                db[oc] += System.Numerics.Tensors.TensorPrimitives.Sum(dy.AsSpan(((n * OutChannels) + oc) * plane, plane));
            }
        }

        // dW += Σₙ dY[n] · col[n]ᵀ, summed over samples in order; rows (output channels) split across cores.
        float[] dw = _weight.Gradient.Data;
        ForEachRowBlock(context, (r0, r1, single) =>
        {
            for (int n = 0; n < batch; n++)
            {
                Gemm.Multiply(
                    new MatrixRef(dy, ((n * OutChannels) + r0) * plane, plane, false),
                    new MatrixRef(col, n * colSize, plane, true),
                    dw, r0 * g.ColRows, g.ColRows, r1 - r0, g.ColRows, plane, accumulate: true, GemmPartition.Rows, single);
            }
        });

        if (context.SkipInputGradient)
        {
            return gradOutput;
        }

        // dcol[n] = Wᵀ · dY[n] over the im2col buffer, folded back into dX; samples are independent.
        Tensor gradInput = LayerState.Ensure(ref state.GradInput, [.. input.Shape]);
        float[] weight = _weight.Value.Data;
        ComputeOptions perSample = SingleCore(context.Options);
        ForEachSample(batch, context, n =>
        {
            Gemm.Multiply(
                new MatrixRef(weight, 0, g.ColRows, true),
                new MatrixRef(dy, n * OutChannels * plane, plane, false),
                col, n * colSize, plane, g.ColRows, plane, OutChannels, accumulate: false, GemmPartition.Columns, perSample);
            gradInput.Data.AsSpan(n * sampleSize, sampleSize).Clear();
            ConvKernels.Col2Im(col, n * colSize, plane, g, gradInput.Data, n * sampleSize);
        });
        return gradInput;
    }

    private static ComputeOptions SingleCore(ComputeOptions options) =>
        options.DegreeOfParallelism == 1 ? options : new ComputeOptions { UseSimd = options.UseSimd };

    /// <summary>Runs <paramref name="body"/> over [0, OutChannels) split into one block of output channels per core.</summary>
    private void ForEachRowBlock(LayerContext context, Action<int, int, ComputeOptions> body)
    {
        int dop = Math.Min(context.Options.DegreeOfParallelism, OutChannels);
        ComputeOptions single = SingleCore(context.Options);
        if (dop == 1)
        {
            body(0, OutChannels, single);
            return;
        }

        Parallel.For(0, dop, new ParallelOptions { MaxDegreeOfParallelism = dop }, w =>
            body(OutChannels * w / dop, OutChannels * (w + 1) / dop, single));
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
