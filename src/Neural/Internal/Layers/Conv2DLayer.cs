using Flow.Neural.Internal.Kernels;
using Flow.Neural.Internal.Threading;

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

    internal override Tensor Forward(Tensor input, LayerState state, LayerContext context) => Forward(input, state, context, fuseRelu: false);

    /// <summary>
    /// The forward pass; with <paramref name="fuseRelu"/> (inference only, for a ReLU that follows) each
    /// tile also goes through ReLU while it is in cache, with the same kernel the ReLU layer would use.
    /// </summary>
    internal Tensor Forward(Tensor input, LayerState state, LayerContext context, bool fuseRelu)
    {
        if (input.Rank != 4 || input.Dim(1) != InChannels)
        {
            throw new ArgumentException($"{Description} expects input [batch, {InChannels}, height, width], got {input}", nameof(input));
        }

        int batch = input.Dim(0);
        ConvGeometry g = Geometry(input);
        Tensor output = LayerState.Ensure(ref state.Output, batch, OutChannels, g.OutH, g.OutW);
        state.Input = input;
        state.RecomputeBeforeBackward = false;
        if (!context.Training && !context.MatchTrainingArithmetic && context.Options.UseSimd && WinogradConvolution.Supports(g, OutChannels))
        {
            state.RecomputeBeforeBackward = true;
            RunWinograd(input, output, state, context, g, fuseRelu, pool: false);
            return output;
        }

        if (!context.Training && context.Options.UseSimd && DirectConvolution.Supports(g))
        {
            ForwardDirect(input, output, state, context, g, fuseRelu);
            return output;
        }

        // Each tile is unfolded into a per-core buffer that stays in cache, in training too: the backward
        // pass unfolds each sample again rather than keep the whole batch's columns (C·kh·kw × plane per
        // sample, 7 MB for the Fashion CNN's second convolution at batch 64), which replicas training at
        // once would stream through the memory they share.

        // All of the layer's work (unfold, GEMM, bias) is split into tiles of output neurons — one
        // sample's output rows [oy0, oy1) for every output channel — and each core takes a contiguous
        // run of tiles, so nothing runs serially outside the partition. A tile's columns are sized to
        // stay in L2 (and, in inference, small enough for the GEMM to read them in place); a sample is
        // cut into more tiles when there are fewer samples than cores.
        int dop = context.Options.DegreeOfParallelism;
        int rowsPerTile = Math.Clamp(Math.Min(TileColumnBytes / (sizeof(float) * g.ColRows), MaxTileColumns) / g.OutW, 1, g.OutH);
        int rowChunks = Math.Max((g.OutH + rowsPerTile - 1) / rowsPerTile, batch >= dop ? 1 : Math.Min(g.OutH, (dop + batch - 1) / batch));
        int tiles = batch * rowChunks;
        int workers = Math.Min(dop, tiles);

        // The weights are packed once per pass for all tiles and cores (not once per tile).
        float[]? packedWeights = context.Options.UseSimd
            ? state.PackedWeights = Gemm.PackWholeA(new MatrixRef(_weight.Value.Data, 0, g.ColRows, false), OutChannels, g.ColRows, state.PackedWeights)
            : null;
        var job = new ForwardJob(this, input, output, packedWeights, g, rowChunks, tiles, workers, SingleCore(context.Options), fuseRelu);
        if (workers == 1)
        {
            job.Run(0);
        }
        else
        {
            WorkerTeam.Shared.Run(workers, job.Run);
        }

        return output;
    }

    /// <summary>
    /// Inference by <see cref="DirectConvolution"/>: work items are (sample, block of 8 output channels),
    /// each core taking a contiguous run of them; every output element is computed the same way
    /// whatever the split, so N cores equal one.
    /// </summary>
    private void ForwardDirect(Tensor input, Tensor output, LayerState state, LayerContext context, ConvGeometry g, bool fuseRelu)
    {
        int batch = input.Dim(0);
        state.PackedWeights = DirectConvolution.PackWeights(_weight.Value.Span, OutChannels, g.ColRows, state.PackedWeights);
        state.TapOffsets = DirectConvolution.TapOffsets(g, state.TapOffsets);
        int blocks = (OutChannels + DirectConvolution.ChannelBlock - 1) / DirectConvolution.ChannelBlock;
        int items = batch * blocks;
        int workers = Math.Min(context.Options.DegreeOfParallelism, items);
        var job = new DirectJob(this, input, output, state.PackedWeights, state.TapOffsets, g, blocks, items, workers, fuseRelu);
        if (workers == 1)
        {
            job.Run(0);
        }
        else
        {
            WorkerTeam.Shared.Run(workers, job.Run);
        }
    }

    /// <summary>
    /// Inference of this convolution, the ReLU after it and <paramref name="pool"/> after that in one pass,
    /// writing only the pooled output into <paramref name="poolState"/>; null (nothing done) where no fused
    /// kernel fits (training, a pool other than 2×2 stride 2, a stride other than 1, no AVX-512).
    /// </summary>
    internal Tensor? TryForwardPooled(Tensor input, LayerState state, LayerState poolState, MaxPool2DLayer pool, LayerContext context)
    {
        if (context.Training || context.MatchTrainingArithmetic || !context.Options.UseSimd || pool.KernelSize != 2 || pool.Stride != 2
            || input.Rank != 4 || input.Dim(1) != InChannels)
        {
            return null;
        }

        ConvGeometry g = Geometry(input);
        bool winograd = WinogradConvolution.Supports(g, OutChannels);
        if ((!winograd && !DirectConvolution.Supports(g)) || g.OutH < 2 || g.OutW < 2)
        {
            return null;
        }

        int batch = input.Dim(0);
        Tensor pooled = LayerState.Ensure(ref poolState.Output, batch, OutChannels, g.OutH / 2, g.OutW / 2);
        state.Input = input;
        state.RecomputeBeforeBackward = true;
        poolState.Input = null;
        poolState.HasBackwardCache = false;
        if (winograd)
        {
            RunWinograd(input, pooled, state, context, g, relu: true, pool: true);
            return pooled;
        }

        state.PackedWeights = DirectConvolution.PackWeights(_weight.Value.Span, OutChannels, g.ColRows, state.PackedWeights);
        state.TapOffsets = DirectConvolution.TapOffsets(g, state.TapOffsets);
        int blocks = (OutChannels + DirectConvolution.ChannelBlock - 1) / DirectConvolution.ChannelBlock;
        int items = batch * blocks;
        int workers = Math.Min(context.Options.DegreeOfParallelism, items);
        float[] weights = state.PackedWeights;
        int[] taps = state.TapOffsets;
        void Run(int w)
        {
            int sampleSize = InChannels * g.Height * g.Width;
            int pooledSize = OutChannels * (g.OutH / 2) * (g.OutW / 2);
            int paddedLength = DirectConvolution.PooledPaddedInputLength(g);
            float[] padded = LayerState.EnsureAtLeast(ref t_paddedInput, paddedLength);
            int first = (int)((long)items * w / workers);
            int last = (int)((long)items * (w + 1) / workers);
            int paddedSample = -1;
            for (int item = first; item < last; item++)
            {
                int n = item / blocks;
                if (n != paddedSample)
                {
                    DirectConvolution.PadInput(input.Data.AsSpan(n * sampleSize, sampleSize), g, padded.AsSpan(0, paddedLength));
                    paddedSample = n;
                }

                DirectConvolution.ComputePooled(padded, weights, taps, _bias.Value.Span, OutChannels, item % blocks, g, pooled.Data.AsSpan(n * pooledSize, pooledSize));
            }
        }

        if (workers == 1)
        {
            Run(0);
        }
        else
        {
            WorkerTeam.Shared.Run(workers, Run);
        }

        return pooled;
    }

    /// <summary>
    /// Inference by <see cref="WinogradConvolution"/>: the work is split into runs of whole tile rows
    /// (2 output rows × all output channels of one sample), one run per core; every tile is computed the
    /// same way whatever the split, so N cores equal one.
    /// </summary>
    private void RunWinograd(Tensor input, Tensor output, LayerState state, LayerContext context, ConvGeometry g, bool relu, bool pool)
    {
        int batch = input.Dim(0);
        var plan = new WinogradConvolution.Plan(g, OutChannels);

        // The transform (about 10 µs for 16→32 channels, a third of a batch-1 pass) is redone only when the
        // weights differ bit for bit from those it was made from: comparing is ~50× cheaper, and catches
        // any change, including writes to Parameter.Value that bypass the optimizer.
        ReadOnlySpan<int> weightBits = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(_weight.Value.Span);
        if (state.TransformedFrom is null || !weightBits.SequenceEqual(state.TransformedFrom))
        {
            WinogradConvolution.TransformWeights(_weight.Value.Span, plan, ref state.TransformedWeights);
            state.TransformedFrom = weightBits.ToArray();
        }

        int tileRows = batch * plan.TilesH;
        int workers = Math.Min(context.Options.DegreeOfParallelism, tileRows);
        float[] bias = _bias.Value.Data;
        void Run(int w)
        {
            int first = (int)((long)tileRows * w / workers) * plan.TilesW;
            int end = (int)((long)tileRows * (w + 1) / workers) * plan.TilesW;
            WinogradConvolution.Run(input.Data, state.TransformedWeights, bias, plan, output.Data, first, end, relu, t_winograd ??= new WinogradConvolution.Workspace(), pool);
        }

        if (workers == 1)
        {
            Run(0);
        }
        else
        {
            WorkerTeam.Shared.Run(workers, Run);
        }
    }

    internal override Tensor Backward(Tensor gradOutput, LayerState state, LayerContext context)
    {
        Tensor input = state.Input ?? throw new InvalidOperationException($"{Description}: backward called before forward");
        int batch = input.Dim(0);
        ConvGeometry g = Geometry(input);
        int plane = g.OutH * g.OutW;
        int colSize = g.ColRows * plane;
        int sampleSize = InChannels * g.Height * g.Width;
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
        // Each core unfolds sample n into its own buffer (kept in cache) just before using it.
        float[] dw = _weight.Gradient.Data;
        ForEachRowBlock(context, (r0, r1, single) =>
        {
            float[] col = LayerState.EnsureAtLeast(ref t_columns, colSize);
            for (int n = 0; n < batch; n++)
            {
                ConvKernels.Im2Col(input.Data, n * sampleSize, g, col, 0, plane);
                Gemm.Multiply(
                    new MatrixRef(dy, ((n * OutChannels) + r0) * plane, plane, false),
                    new MatrixRef(col, 0, plane, true),
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
            float[] dcol = LayerState.EnsureAtLeast(ref t_columns, colSize);
            Gemm.Multiply(
                new MatrixRef(weight, 0, g.ColRows, true),
                new MatrixRef(dy, n * OutChannels * plane, plane, false),
                dcol, 0, plane, g.ColRows, plane, OutChannels, accumulate: false, GemmPartition.Columns, perSample);
            gradInput.Data.AsSpan(n * sampleSize, sampleSize).Clear();
            ConvKernels.Col2Im(dcol, 0, plane, g, gradInput.Data, n * sampleSize);
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

        WorkerTeam.Shared.Run(dop, w => body(OutChannels * w / dop, OutChannels * (w + 1) / dop, single));
    }

    /// <summary>The calling thread's column buffer for inference tiles, grown as needed and then reused.</summary>
    [ThreadStatic]
    private static float[]? t_columns;

    [ThreadStatic]
    private static float[]? t_paddedInput;

    [ThreadStatic]
    private static float[]? t_directResult;

    [ThreadStatic]
    private static WinogradConvolution.Workspace? t_winograd;

    /// <summary>Target size of one tile's im2col columns: well inside Zen 4's 1 MiB L2 next to the packed weights.</summary>
    private const int TileColumnBytes = 128 * 1024;

    /// <summary>The widest tile the GEMM reads in place rather than repacking (Kc = 256 rows × 256 columns).</summary>
    private const int MaxTileColumns = 256;

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

    /// <summary>One forward pass's tiles; worker w runs tiles [tiles·w/workers, tiles·(w+1)/workers).</summary>
    private sealed class ForwardJob(Conv2DLayer layer, Tensor input, Tensor output, float[]? packedWeights, ConvGeometry g, int rowChunks, int tiles, int workers, ComputeOptions single, bool fuseRelu)
    {
        internal void Run(int worker)
        {
            int plane = g.OutH * g.OutW;
            int sampleSize = layer.InChannels * g.Height * g.Width;
            int outChannels = layer.OutChannels;
            float[] weight = layer._weight.Value.Data;
            float[] bias = layer._bias.Value.Data;
            int maxWidth = ((g.OutH + rowChunks - 1) / rowChunks) * g.OutW;
            float[] buffer = LayerState.EnsureAtLeast(ref t_columns, g.ColRows * maxWidth);
            int first = (int)((long)tiles * worker / workers);
            int last = (int)((long)tiles * (worker + 1) / workers);
            for (int tile = first; tile < last; tile++)
            {
                int n = tile / rowChunks;
                int chunk = tile % rowChunks;
                int oy0 = g.OutH * chunk / rowChunks;
                int oy1 = g.OutH * (chunk + 1) / rowChunks;
                int j0 = oy0 * g.OutW;
                int width = (oy1 - oy0) * g.OutW;

                // A compact [C·kh·kw, width] tile (column j of the plane lands at j − j0).
                ConvKernels.Im2Col(input.Data, n * sampleSize, g, buffer, -j0, width, oy0, oy1);
                var tileColumns = new MatrixRef(buffer, 0, width, false);

                // out[n][:, j0..j0+width) = W · columns lands directly in NCHW order; every element is
                // accumulated in the same order whatever the tiling, so N cores equal one.
                int outOffset = n * outChannels * plane;
                Gemm.Multiply(
                    new MatrixRef(weight, 0, g.ColRows, false),
                    tileColumns,
                    output.Data, outOffset + j0, plane, outChannels, width, g.ColRows, accumulate: false, GemmPartition.Rows, single, packedA: packedWeights);

                // Bias while the tile is still in cache.
                for (int oc = 0; oc < outChannels; oc++)
                {
                    Span<float> dst = output.Data.AsSpan(outOffset + (oc * plane) + j0, width);
                    System.Numerics.Tensors.TensorPrimitives.Add(dst, bias[oc], dst);
                    if (fuseRelu)
                    {
                        ActivationKernels.Relu(dst, dst, single.UseSimd);
                    }
                }
            }
        }
    }

    /// <summary>One direct forward pass; worker w runs items [items·w/workers, items·(w+1)/workers).</summary>
    private sealed class DirectJob(Conv2DLayer layer, Tensor input, Tensor output, float[] packedWeights, int[] tapOffsets, ConvGeometry g, int blocks, int items, int workers, bool fuseRelu)
    {
        internal void Run(int worker)
        {
            int sampleSize = layer.InChannels * g.Height * g.Width;
            int outSize = layer.OutChannels * g.OutH * g.OutW;
            int paddedLength = DirectConvolution.PaddedInputLength(g);
            float[] padded = LayerState.EnsureAtLeast(ref t_paddedInput, paddedLength);
            float[] result = LayerState.EnsureAtLeast(ref t_directResult, DirectConvolution.ResultLength(g));
            float[] bias = layer._bias.Value.Data;
            int first = (int)((long)items * worker / workers);
            int last = (int)((long)items * (worker + 1) / workers);
            int paddedSample = -1;
            for (int item = first; item < last; item++)
            {
                int n = item / blocks;
                int block = item % blocks;
                if (n != paddedSample)
                {
                    DirectConvolution.PadInput(input.Data.AsSpan(n * sampleSize, sampleSize), g, padded.AsSpan(0, paddedLength));
                    paddedSample = n;
                }

                DirectConvolution.ComputeBlock(padded, packedWeights, tapOffsets, bias, layer.OutChannels, block, g, result, fuseRelu);
                DirectConvolution.WriteBlock(result, layer.OutChannels, block, g, output.Data.AsSpan(n * outSize, outSize));
            }
        }
    }
}
