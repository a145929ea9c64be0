using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Flow.Neural.Internal.Kernels;

/// <summary>
/// Stride-1 convolution without im2col, for inference. The input sample is copied once into a
/// zero-padded buffer of width Wp = W + 2·pad; output position p = y·Wp + x then reads input
/// p + ic·Hp·Wp + ky·Wp + kx for every tap, so 16 consecutive output positions are one unaligned
/// Vector512 load per tap. A block of 8 output channels × 32 positions accumulates in 16 registers
/// over all taps (each weight a broadcast), then the OutW valid columns of each row are copied out
/// (the Wp − OutW others read across a row end and are dropped).
/// </summary>
internal static unsafe class DirectConvolution
{
    /// <summary>Output channels per register block.</summary>
    internal const int ChannelBlock = 8;

    /// <summary>Output positions per register block: two Vector512.</summary>
    private const int PositionBlock = 32;

    /// <summary>Whether the kernel can run this geometry on this CPU.</summary>
    internal static bool Supports(in ConvGeometry g) =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated && g.StrideH == 1 && g.StrideW == 1;

    internal static int PaddedWidth(in ConvGeometry g) => g.Width + (2 * g.PadW);

    /// <summary>Output positions computed per channel (OutH·Wp rounded up to a whole register block).</summary>
    internal static int Positions(in ConvGeometry g) =>
        (((g.OutH * PaddedWidth(g)) + PositionBlock - 1) / PositionBlock) * PositionBlock;

    /// <summary>A computed block's length: 8 channels of <see cref="Positions"/>.</summary>
    internal static int ResultLength(in ConvGeometry g) => ChannelBlock * Positions(g);

    internal static int PlaneLength(in ConvGeometry g) => (g.Height + (2 * g.PadH)) * PaddedWidth(g);

    /// <summary>The padded input buffer's length: every tap of every computed position stays inside it.</summary>
    internal static int PaddedInputLength(in ConvGeometry g) =>
        ((g.Channels - 1) * PlaneLength(g)) + ((g.KernelH - 1) * PaddedWidth(g)) + (g.KernelW - 1) + Positions(g);

    /// <summary>Per tap (ic, ky, kx), in weight order, its offset in the padded input.</summary>
    internal static int[] TapOffsets(in ConvGeometry g, int[]? reuse)
    {
        int wp = PaddedWidth(g);
        int plane = PlaneLength(g);
        int[] offsets = reuse is not null && reuse.Length == g.ColRows ? reuse : new int[g.ColRows];
        int t = 0;
        for (int ic = 0; ic < g.Channels; ic++)
        {
            for (int ky = 0; ky < g.KernelH; ky++)
            {
                for (int kx = 0; kx < g.KernelW; kx++)
                {
                    offsets[t++] = (ic * plane) + (ky * wp) + kx;
                }
            }
        }

        return offsets;
    }

    /// <summary>
    /// Weights [outChannels, taps] packed as [channel block][tap][8], the channels past
    /// <paramref name="outChannels"/> zero.
    /// </summary>
    internal static float[] PackWeights(ReadOnlySpan<float> weight, int outChannels, int taps, float[]? reuse)
    {
        int blocks = (outChannels + ChannelBlock - 1) / ChannelBlock;
        int length = blocks * taps * ChannelBlock;
        float[] packed = reuse is not null && reuse.Length == length ? reuse : new float[length];

        // Runs once per forward pass (a batch of one included), so a plain strided transpose without
        // per-element branches: the padding channels of the last block are cleared first.
        packed.AsSpan((blocks - 1) * taps * ChannelBlock).Clear();
        fixed (float* pSrc = weight)
        fixed (float* pDst = packed)
        {
            for (int oc = 0; oc < outChannels; oc++)
            {
                float* src = pSrc + (oc * taps);
                float* dst = pDst + ((oc / ChannelBlock) * taps * ChannelBlock) + (oc % ChannelBlock);
                for (int t = 0; t < taps; t++)
                {
                    dst[t * ChannelBlock] = src[t];
                }
            }
        }

        return packed;
    }

    /// <summary>Copies one sample [C, H, W] into the zero-padded buffer (borders and tail zero).</summary>
    internal static void PadInput(ReadOnlySpan<float> sample, in ConvGeometry g, Span<float> padded)
    {
        padded.Clear();
        int wp = PaddedWidth(g);
        int plane = PlaneLength(g);
        fixed (float* pSrc = sample)
        fixed (float* pDst = padded)
        {
            for (int c = 0; c < g.Channels; c++)
            {
                for (int y = 0; y < g.Height; y++)
                {
                    CopyRow(pSrc + (((c * g.Height) + y) * g.Width), pDst + (c * plane) + ((y + g.PadH) * wp) + g.PadW, g.Width);
                }
            }
        }
    }

    /// <summary>
    /// Computes channel block <paramref name="block"/> of one sample into <paramref name="result"/>
    /// [8][Positions] (bias included, then ReLU when <paramref name="relu"/>), position p = y·Wp + x.
    /// </summary>
    internal static void ComputeBlock(float[] padded, float[] packedWeights, int[] tapOffsets, ReadOnlySpan<float> bias, int outChannels, int block, in ConvGeometry g, float[] result, bool relu)
    {
        int taps = tapOffsets.Length;
        int positions = Positions(g);
        Span<float> b = stackalloc float[ChannelBlock];
        for (int c = 0; c < ChannelBlock; c++)
        {
            int oc = (block * ChannelBlock) + c;
            b[c] = oc < outChannels ? bias[oc] : 0f;
        }

        fixed (float* pIn = padded)
        fixed (float* pW = packedWeights)
        fixed (int* pOff = tapOffsets)
        fixed (float* pOut = result)
        {
            float* wBlock = pW + (block * taps * ChannelBlock);
            for (int p0 = 0; p0 < positions; p0 += PositionBlock)
            {
                Vector512<float> a0 = Vector512.Create(b[0]), a1 = Vector512.Create(b[1]), a2 = Vector512.Create(b[2]), a3 = Vector512.Create(b[3]);
                Vector512<float> a4 = Vector512.Create(b[4]), a5 = Vector512.Create(b[5]), a6 = Vector512.Create(b[6]), a7 = Vector512.Create(b[7]);
                Vector512<float> c0 = a0, c1 = a1, c2 = a2, c3 = a3, c4 = a4, c5 = a5, c6 = a6, c7 = a7;
                float* src = pIn + p0;
                float* w = wBlock;
                for (int t = 0; t < taps; t++, w += ChannelBlock)
                {
                    float* s = src + pOff[t];
                    Vector512<float> v0 = Vector512.Load(s);
                    Vector512<float> v1 = Vector512.Load(s + 16);
                    Vector512<float> w0 = Vector512.Create(w[0]);
                    a0 = Vector512.FusedMultiplyAdd(v0, w0, a0);
                    c0 = Vector512.FusedMultiplyAdd(v1, w0, c0);
                    Vector512<float> w1 = Vector512.Create(w[1]);
                    a1 = Vector512.FusedMultiplyAdd(v0, w1, a1);
                    c1 = Vector512.FusedMultiplyAdd(v1, w1, c1);
                    Vector512<float> w2 = Vector512.Create(w[2]);
                    a2 = Vector512.FusedMultiplyAdd(v0, w2, a2);
                    c2 = Vector512.FusedMultiplyAdd(v1, w2, c2);
                    Vector512<float> w3 = Vector512.Create(w[3]);
                    a3 = Vector512.FusedMultiplyAdd(v0, w3, a3);
                    c3 = Vector512.FusedMultiplyAdd(v1, w3, c3);
                    Vector512<float> w4 = Vector512.Create(w[4]);
                    a4 = Vector512.FusedMultiplyAdd(v0, w4, a4);
                    c4 = Vector512.FusedMultiplyAdd(v1, w4, c4);
                    Vector512<float> w5 = Vector512.Create(w[5]);
                    a5 = Vector512.FusedMultiplyAdd(v0, w5, a5);
                    c5 = Vector512.FusedMultiplyAdd(v1, w5, c5);
                    Vector512<float> w6 = Vector512.Create(w[6]);
                    a6 = Vector512.FusedMultiplyAdd(v0, w6, a6);
                    c6 = Vector512.FusedMultiplyAdd(v1, w6, c6);
                    Vector512<float> w7 = Vector512.Create(w[7]);
                    a7 = Vector512.FusedMultiplyAdd(v0, w7, a7);
                    c7 = Vector512.FusedMultiplyAdd(v1, w7, c7);
                }

                if (relu)
                {
                    Vector512<float> zero = Vector512<float>.Zero;
                    a0 = Avx512F.Max(a0, zero);
                    a1 = Avx512F.Max(a1, zero);
                    a2 = Avx512F.Max(a2, zero);
                    a3 = Avx512F.Max(a3, zero);
                    a4 = Avx512F.Max(a4, zero);
                    a5 = Avx512F.Max(a5, zero);
                    a6 = Avx512F.Max(a6, zero);
                    a7 = Avx512F.Max(a7, zero);
                    c0 = Avx512F.Max(c0, zero);
                    c1 = Avx512F.Max(c1, zero);
                    c2 = Avx512F.Max(c2, zero);
                    c3 = Avx512F.Max(c3, zero);
                    c4 = Avx512F.Max(c4, zero);
                    c5 = Avx512F.Max(c5, zero);
                    c6 = Avx512F.Max(c6, zero);
                    c7 = Avx512F.Max(c7, zero);
                }

                float* dst = pOut + p0;
                a0.Store(dst);
                c0.Store(dst + 16);
                a1.Store(dst + positions);
                c1.Store(dst + positions + 16);
                a2.Store(dst + (2 * positions));
                c2.Store(dst + (2 * positions) + 16);
                a3.Store(dst + (3 * positions));
                c3.Store(dst + (3 * positions) + 16);
                a4.Store(dst + (4 * positions));
                c4.Store(dst + (4 * positions) + 16);
                a5.Store(dst + (5 * positions));
                c5.Store(dst + (5 * positions) + 16);
                a6.Store(dst + (6 * positions));
                c6.Store(dst + (6 * positions) + 16);
                a7.Store(dst + (7 * positions));
                c7.Store(dst + (7 * positions) + 16);
            }
        }
    }

    /// <summary>
    /// Copies the valid OutW columns of each row of a computed block to NCHW output starting at channel
    /// block·8 of one sample (<paramref name="sampleOutput"/>). A row is copied by whole vectors, the last
    /// one overlapping the one before it, so no store crosses the row's end.
    /// </summary>
    internal static void WriteBlock(float[] result, int outChannels, int block, in ConvGeometry g, Span<float> sampleOutput)
    {
        int positions = Positions(g);
        int wp = PaddedWidth(g);
        int width = g.OutW;
        int plane = g.OutH * width;
        int channels = Math.Min(ChannelBlock, outChannels - (block * ChannelBlock));
        fixed (float* pResult = result)
        fixed (float* pOut = sampleOutput)
        {
            for (int c = 0; c < channels; c++)
            {
                float* dstPlane = pOut + (((block * ChannelBlock) + c) * plane);
                for (int y = 0; y < g.OutH; y++)
                {
                    CopyRow(pResult + (c * positions) + (y * wp), dstPlane + (y * width), width);
                }
            }
        }
    }

    /// <summary>
    /// The padded input buffer's length for <see cref="ComputePooled"/>: every padded plane, and every read
    /// of its 32-column chunks, which may run past a row's end.
    /// </summary>
    internal static int PooledPaddedInputLength(in ConvGeometry g) => Math.Max(
        PaddedInputLength(g),
        ((g.Channels - 1) * PlaneLength(g)) + (((2 * (g.OutH / 2)) + g.KernelH - 2) * PaddedWidth(g)) + g.KernelW + (32 * PooledChunks(g)));

    /// <summary>32-column chunks per pair of output rows: each gives 16 pooled outputs.</summary>
    private static int PooledChunks(in ConvGeometry g) => ((g.OutW / 2) + 15) / 16;

    /// <summary>
    /// Convolution, bias, ReLU and a 2×2, stride-2 max-pool of one sample in one pass, for inference:
    /// only the pooled outputs [outChannels, OutH/2, OutW/2] are written (the full activation never
    /// leaves the registers). Each step takes 4 output channels × 2 output rows × 32 columns (16
    /// accumulators) over all taps, then pools the row pair and the column pairs in registers. Every
    /// output sums its taps in weight order from zero, then adds the bias, as the training pass's GEMM
    /// does, so the values are the training pass's bit for bit.
    /// </summary>
    internal static void ComputePooled(float[] padded, float[] packedWeights, int[] tapOffsets, ReadOnlySpan<float> bias, int outChannels, int block, in ConvGeometry g, Span<float> pooledSample)
    {
        int taps = tapOffsets.Length;
        int wp = PaddedWidth(g);
        int ph = g.OutH / 2, pw = g.OutW / 2;
        int chunks = PooledChunks(g);
        Vector512<int> even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        Vector512<int> odd = even + Vector512<int>.One;
        fixed (float* pIn = padded)
        fixed (float* pW = packedWeights)
        fixed (int* pOff = tapOffsets)
        fixed (float* pOut = pooledSample)
        {
            for (int half = 0; half < 2; half++)
            {
                int oc0 = (block * ChannelBlock) + (half * 4);
                if (oc0 >= outChannels)
                {
                    break;
                }

                int channels = Math.Min(4, outChannels - oc0);
                float* w = pW + (block * taps * ChannelBlock) + (half * 4);
                for (int py = 0; py < ph; py++)
                {
                    for (int chunk = 0; chunk < chunks; chunk++)
                    {
                        float* row0 = pIn + (2 * py * wp) + (32 * chunk);
                        float* row1 = row0 + wp;
                        Vector512<float> a00 = default, a01 = default, a10 = default, a11 = default;
                        Vector512<float> b00 = default, b01 = default, b10 = default, b11 = default;
                        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
                        Vector512<float> d00 = default, d01 = default, d10 = default, d11 = default;
                        float* wt = w;
                        for (int t = 0; t < taps; t++, wt += ChannelBlock)
                        {
                            int off = pOff[t];
                            Vector512<float> v00 = Vector512.Load(row0 + off);
                            Vector512<float> v01 = Vector512.Load(row0 + off + 16);
                            Vector512<float> v10 = Vector512.Load(row1 + off);
                            Vector512<float> v11 = Vector512.Load(row1 + off + 16);
                            Vector512<float> k = Vector512.Create(wt[0]);
                            a00 = Vector512.FusedMultiplyAdd(v00, k, a00);
                            a01 = Vector512.FusedMultiplyAdd(v01, k, a01);
                            a10 = Vector512.FusedMultiplyAdd(v10, k, a10);
                            a11 = Vector512.FusedMultiplyAdd(v11, k, a11);
                            k = Vector512.Create(wt[1]);
                            b00 = Vector512.FusedMultiplyAdd(v00, k, b00);
                            b01 = Vector512.FusedMultiplyAdd(v01, k, b01);
                            b10 = Vector512.FusedMultiplyAdd(v10, k, b10);
                            b11 = Vector512.FusedMultiplyAdd(v11, k, b11);
                            k = Vector512.Create(wt[2]);
                            c00 = Vector512.FusedMultiplyAdd(v00, k, c00);
                            c01 = Vector512.FusedMultiplyAdd(v01, k, c01);
                            c10 = Vector512.FusedMultiplyAdd(v10, k, c10);
                            c11 = Vector512.FusedMultiplyAdd(v11, k, c11);
                            k = Vector512.Create(wt[3]);
                            d00 = Vector512.FusedMultiplyAdd(v00, k, d00);
                            d01 = Vector512.FusedMultiplyAdd(v01, k, d01);
                            d10 = Vector512.FusedMultiplyAdd(v10, k, d10);
                            d11 = Vector512.FusedMultiplyAdd(v11, k, d11);
                        }

                        // Lanes past the row's pooled width are masked off (they read past the row's end).
                        int valid = Math.Min(16, pw - (16 * chunk));
                        Vector512<float> mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(valid)).AsSingle();
                        float* dst = pOut + (oc0 * ph * pw) + (py * pw) + (16 * chunk);
                        int plane = ph * pw;
                        Avx512F.MaskStore(dst, mask, Pool(a00, a01, a10, a11, bias[oc0], even, odd));
                        if (channels > 1)
                        {
                            Avx512F.MaskStore(dst + plane, mask, Pool(b00, b01, b10, b11, bias[oc0 + 1], even, odd));
                        }

                        if (channels > 2)
                        {
                            Avx512F.MaskStore(dst + (2 * plane), mask, Pool(c00, c01, c10, c11, bias[oc0 + 2], even, odd));
                        }

                        if (channels > 3)
                        {
                            Avx512F.MaskStore(dst + (3 * plane), mask, Pool(d00, d01, d10, d11, bias[oc0 + 3], even, odd));
                        }
                    }
                }
            }
        }
    }

    /// <summary>max over 2×2 windows of ReLU(x + bias) for two rows of 32 columns: 16 pooled outputs.</summary>
    private static Vector512<float> Pool(Vector512<float> r0c0, Vector512<float> r0c1, Vector512<float> r1c0, Vector512<float> r1c1, float bias, Vector512<int> even, Vector512<int> odd)
    {
        Vector512<float> b = Vector512.Create(bias);
        Vector512<float> zero = Vector512<float>.Zero;
        Vector512<float> left = Avx512F.Max(Avx512F.Max(r0c0 + b, zero), Avx512F.Max(r1c0 + b, zero));
        Vector512<float> right = Avx512F.Max(Avx512F.Max(r0c1 + b, zero), Avx512F.Max(r1c1 + b, zero));
        return Avx512F.Max(Avx512F.PermuteVar16x32x2(left, even, right), Avx512F.PermuteVar16x32x2(left, odd, right));
    }

    private static void CopyRow(float* src, float* dst, int width)
    {
        if (width >= 16)
        {
            int x = 0;
            for (; x + 16 <= width; x += 16)
            {
                Vector512.Load(src + x).Store(dst + x);
            }

            if (x < width)
            {
                Vector512.Load(src + width - 16).Store(dst + width - 16);
            }
        }
        else if (width >= 8)
        {
            Vector256.Load(src).Store(dst);
            Vector256.Load(src + width - 8).Store(dst + width - 8);
        }
        else
        {
            for (int x = 0; x < width; x++)
            {
                dst[x] = src[x];
            }
        }
    }
}
