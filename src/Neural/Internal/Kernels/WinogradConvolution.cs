using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Flow.Neural.Internal.Kernels;

/// <summary>
/// 3×3, stride-1 convolution for inference by Winograd's F(2×2, 3×3): each 2×2 block of outputs
/// (a tile) comes from a 4×4 input patch through 16 element-wise products instead of 36
/// multiply-adds, i.e. 2.25× fewer multiplications. Channels sit in the vector lanes: a sample's input
/// is transposed once into a zero-padded [channel block][y][x][16] buffer, each tile's patch is
/// transformed (V = Bᵀ·d·B, adds only), the 16 transformed elements e of a block of 12 tiles are
/// multiplied by the transformed weights (M[e] = V[e]·U[e], a 12-tile × 32-channel register block of
/// 24 FMA accumulators over the input channels), and M is transformed back (Y = Aᵀ·M·A, adds only),
/// biased, optionally rectified and transposed to NCHW.
/// </summary>
/// <remarks>
/// The result differs from the direct definition by rounding only (the transforms' coefficients are
/// 0, ±½ and ±1), which is why training and the backward pass never use it (see
/// <c>LayerState.RecomputeBeforeBackward</c>). Every tile is computed by the same operations in the
/// same order whatever the block it falls in, so any split of the tiles across cores gives the same
/// bits.
/// </remarks>
internal static unsafe class WinogradConvolution
{
    /// <summary>Tiles per register block of the element-wise products.</summary>
    private const int TileBlock = 12;

    /// <summary>Lanes per channel block.</summary>
    private const int Lanes = 16;

    /// <summary>Transformed elements per tile (a 4×4 patch).</summary>
    private const int Elements = 16;

    /// <summary>
    /// Below this many input or output channels the transforms (and the lanes left empty in a channel
    /// block) cost more than the multiplications saved, and the direct convolution is faster.
    /// </summary>
    private const int MinChannels = 8;

    /// <summary>Whether the kernel runs this geometry on this CPU (3×3, stride 1, enough channels, AVX-512).</summary>
    internal static bool Supports(in ConvGeometry g, int outChannels) =>
        Avx512F.IsSupported && g.KernelH == 3 && g.KernelW == 3 && g.StrideH == 1 && g.StrideW == 1
        && g.Channels >= MinChannels && outChannels >= MinChannels && g.OutH > 0 && g.OutW > 0;

    /// <summary>The sizes derived from a geometry and an output channel count.</summary>
    internal readonly struct Plan
    {
        internal Plan(in ConvGeometry g, int outChannels)
        {
            Geometry = g;
            OutChannels = outChannels;
            TilesH = (g.OutH + 1) / 2;
            TilesW = (g.OutW + 1) / 2;
            ChannelBlocks = (g.Channels + Lanes - 1) / Lanes;
            PaddedChannels = ChannelBlocks * Lanes;
            PaddedOutChannels = ((outChannels + Lanes - 1) / Lanes) * Lanes;
            PaddedH = (2 * TilesH) + 2;
            PaddedW = (2 * TilesW) + 2;
        }

        internal ConvGeometry Geometry { get; }

        internal int OutChannels { get; }

        internal int TilesH { get; }

        internal int TilesW { get; }

        internal int Tiles => TilesH * TilesW;

        internal int ChannelBlocks { get; }

        internal int PaddedChannels { get; }

        internal int PaddedOutChannels { get; }

        internal int PaddedH { get; }

        internal int PaddedW { get; }

        /// <summary>The transformed weights' length: [16 elements][padded input channels][padded output channels].</summary>
        internal int WeightLength => Elements * PaddedChannels * PaddedOutChannels;

        /// <summary>One sample's padded, channel-blocked input.</summary>
        internal int SampleInputLength => ChannelBlocks * PaddedH * PaddedW * Lanes;

        /// <summary>One sample's outputs as [pixel][padded output channels] before the transpose to NCHW.</summary>
        internal int SampleStagingLength => Geometry.OutH * Geometry.OutW * PaddedOutChannels;

        /// <summary>How many samples one block of tiles can touch: the sample buffers kept at once.</summary>
        internal int Slots => ((TileBlock - 1) / Tiles) + 2;
    }

    /// <summary>
    /// U = G·g·Gᵀ for every (output channel, input channel) pair of weights [outChannels, channels·3·3],
    /// stored [e][c][oc] with the padding channels zero.
    /// </summary>
    internal static void TransformWeights(ReadOnlySpan<float> weight, in Plan plan, ref AlignedBuffer transformed)
    {
        int length = plan.WeightLength;
        transformed.EnsureAtLeast(length);
        var u = new Span<float>(transformed.Pointer, length);
        u.Clear();
        int channels = plan.Geometry.Channels;
        int cp = plan.PaddedChannels;
        int kp = plan.PaddedOutChannels;
        Span<float> t = stackalloc float[12];
        for (int oc = 0; oc < plan.OutChannels; oc++)
        {
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<float> k = weight.Slice(((oc * channels) + c) * 9, 9);

                // t = G·g, G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1] (4×3).
                for (int col = 0; col < 3; col++)
                {
                    float g0 = k[col], g1 = k[3 + col], g2 = k[6 + col];
                    t[col] = g0;
                    t[3 + col] = 0.5f * (g0 + g1 + g2);
                    t[6 + col] = 0.5f * (g0 - g1 + g2);
                    t[9 + col] = g2;
                }

                // U = t·Gᵀ (4×4).
                for (int row = 0; row < 4; row++)
                {
                    float a0 = t[(row * 3) + 0], a1 = t[(row * 3) + 1], a2 = t[(row * 3) + 2];
                    int e = row * 4;
                    u[((((e + 0) * cp) + c) * kp) + oc] = a0;
                    u[((((e + 1) * cp) + c) * kp) + oc] = 0.5f * (a0 + a1 + a2);
                    u[((((e + 2) * cp) + c) * kp) + oc] = 0.5f * (a0 - a1 + a2);
                    u[((((e + 3) * cp) + c) * kp) + oc] = a2;
                }
            }
        }
    }

    /// <summary>
    /// The per-core buffers of one pass. They live on the pinned-object heap and every access starts at
    /// a 64-byte boundary: a Vector512 load or store that straddles two cache lines costs two, and this
    /// kernel moves each value through several such buffers.
    /// </summary>
    internal sealed class Workspace
    {
        internal AlignedBuffer Inputs;
        internal AlignedBuffer Staging;
        internal AlignedBuffer Transformed;
        internal AlignedBuffer Products;
        internal AlignedBuffer Bias;

        internal void Ensure(in Plan plan)
        {
            int slots = plan.Slots;
            Inputs.EnsureAtLeast(slots * plan.SampleInputLength);
            Staging.EnsureAtLeast(slots * plan.SampleStagingLength);
            Transformed.EnsureAtLeast(Elements * TileBlock * plan.PaddedChannels);
            Products.EnsureAtLeast(Elements * TileBlock * plan.PaddedOutChannels);
            Bias.EnsureAtLeast(plan.PaddedOutChannels);
        }
    }

    /// <summary>A pinned float array and the offset of its first 64-byte-aligned element.</summary>
    internal struct AlignedBuffer
    {
        private float[]? _array;
        private int _offset;

        /// <summary>Gets the aligned start (the array is pinned, so the pointer stays valid).</summary>
        internal readonly float* Pointer => (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _array![_offset]);

        /// <summary>Gets the usable length from <see cref="Pointer"/>.</summary>
        internal readonly int Length => _array is null ? 0 : _array.Length - _offset;

        internal void EnsureAtLeast(int length)
        {
            if (Length >= length)
            {
                return;
            }

            _array = GC.AllocateArray<float>(length + Lanes, pinned: true);
            long address = (long)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _array[0]);
            _offset = (int)(((64 - (address % 64)) % 64) / sizeof(float));
        }
    }

    /// <summary>
    /// Computes the outputs of global tiles [<paramref name="firstTile"/>, <paramref name="endTile"/>) of a
    /// batch (tile g is tile g mod Tiles of sample g / Tiles; both ends whole rows of tiles) into NCHW
    /// <paramref name="output"/>: bias added, then ReLU when <paramref name="relu"/>. With
    /// <paramref name="pool"/> (which implies ReLU) each whole tile is also max-pooled — a tile is exactly a
    /// 2×2, stride-2 pooling window — and only the pooled [outChannels, OutH/2, OutW/2] is written.
    /// </summary>
    internal static void Run(float[] input, in AlignedBuffer transformedWeights, ReadOnlySpan<float> bias, in Plan plan, float[] output, int firstTile, int endTile, bool relu, Workspace work, bool pool = false)
    {
        work.Ensure(plan);
        ConvGeometry g = plan.Geometry;
        int tiles = plan.Tiles;
        int sampleIn = g.Channels * g.Height * g.Width;
        int outH = pool ? g.OutH / 2 : g.OutH, outW = pool ? g.OutW / 2 : g.OutW;
        int sampleOut = plan.OutChannels * outH * outW;
        int slots = plan.Slots;
        var paddedBias = new Span<float>(work.Bias.Pointer, plan.PaddedOutChannels);
        paddedBias.Clear();
        bias[..plan.OutChannels].CopyTo(paddedBias);

        int packed = -1;
        int lastSample = (endTile - 1) / tiles;
        int flushed = (firstTile / tiles) - 1;

        // The next tile's sample and position, advanced without divisions.
        int sample = firstTile / tiles, ty = (firstTile % tiles) / plan.TilesW, tx = 0;
        Span<int> blockSample = stackalloc int[TileBlock];
        Span<int> blockRow = stackalloc int[TileBlock];
        Span<int> blockColumn = stackalloc int[TileBlock];
        fixed (float* pIn = input)
        fixed (float* pOut = output)
        {
            float* pU = transformedWeights.Pointer, pX = work.Inputs.Pointer, pS = work.Staging.Pointer, pV = work.Transformed.Pointer, pM = work.Products.Pointer, pB = work.Bias.Pointer;
            for (int g0 = firstTile; g0 < endTile; g0 += TileBlock)
            {
                int count = Math.Min(TileBlock, endTile - g0);
                for (int r = 0; r < count; r++)
                {
                    blockSample[r] = sample;
                    blockRow[r] = ty;
                    blockColumn[r] = tx;
                    if (++tx == plan.TilesW)
                    {
                        tx = 0;
                        if (++ty == plan.TilesH)
                        {
                            ty = 0;
                            sample++;
                        }
                    }
                }

                for (int r = 0; r < count; r++)
                {
                    int n = blockSample[r];
                    if (n > packed)
                    {
                        PackSample(pIn + ((long)n * sampleIn), plan, pX + ((n % slots) * plan.SampleInputLength));
                        packed = n;
                    }

                    TransformInput(pX + ((n % slots) * plan.SampleInputLength), plan, blockRow[r], blockColumn[r], pV, r);
                }

                for (int e = 0; e < Elements; e++)
                {
                    MultiplyElement(pV, pU, pM, plan, e);
                }

                for (int r = 0; r < count; r++)
                {
                    int n = blockSample[r];
                    float* staging = pS + ((n % slots) * plan.SampleStagingLength);
                    if (pool)
                    {
                        TransformOutputPooled(pM, pB, plan, r, blockRow[r], blockColumn[r], staging);
                    }
                    else
                    {
                        TransformOutput(pM, pB, plan, r, blockRow[r], blockColumn[r], staging, relu);
                    }
                }

                // Samples whose tiles in this range are all done go out to NCHW.
                int blockEnd = g0 + count;
                while (flushed < lastSample && Math.Min((flushed + 2) * tiles, endTile) <= blockEnd)
                {
                    int n = flushed + 1;
                    int t0 = Math.Max(firstTile, n * tiles) - (n * tiles);
                    int t1 = Math.Min(endTile, (n + 1) * tiles) - (n * tiles);
                    int rowsPerTile = pool ? 1 : 2;
                    int p0 = Math.Min(rowsPerTile * (t0 / plan.TilesW), outH) * outW;
                    int p1 = Math.Min(rowsPerTile * (t1 / plan.TilesW), outH) * outW;
                    Flush(pS + ((n % slots) * plan.SampleStagingLength), plan, p0, p1, outH * outW, pOut + ((long)n * sampleOut));
                    flushed = n;
                }
            }
        }
    }

    /// <summary>One sample [C, H, W] into the zero-padded [channel block][Hp][Wp][16] buffer.</summary>
    private static void PackSample(float* src, in Plan plan, float* dst)
    {
        ConvGeometry g = plan.Geometry;
        new Span<float>(dst, plan.SampleInputLength).Clear();
        int pixels = g.Height * g.Width;
        float* block = stackalloc float[Lanes * Lanes];
        for (int cb = 0; cb < plan.ChannelBlocks; cb++)
        {
            int rows = Math.Min(Lanes, g.Channels - (cb * Lanes));
            float* plane = src + (cb * Lanes * pixels);
            float* dstBlock = dst + (cb * plan.PaddedH * plan.PaddedW * Lanes);
            int p = 0, y = 0, x = 0;
            for (; p + Lanes <= pixels; p += Lanes)
            {
                Transpose16(plane + p, pixels, rows, block);
                for (int j = 0; j < Lanes; j++)
                {
                    Vector512.Load(block + (j * Lanes)).Store(dstBlock + ((((y + g.PadH) * plan.PaddedW) + x + g.PadW) * Lanes));
                    if (++x == g.Width)
                    {
                        x = 0;
                        y++;
                    }
                }
            }

            for (; p < pixels; p++)
            {
                float* d = dstBlock + ((((y + g.PadH) * plan.PaddedW) + x + g.PadW) * Lanes);
                for (int c = 0; c < rows; c++)
                {
                    d[c] = plane[(c * pixels) + p];
                }

                if (++x == g.Width)
                {
                    x = 0;
                    y++;
                }
            }
        }
    }

    /// <summary>V = Bᵀ·d·B of tile (ty, tx) for every channel block, into row <paramref name="r"/> of V [e][12][Cp].</summary>
    private static void TransformInput(float* x, in Plan plan, int ty, int tx, float* v, int r)
    {
        int wp = plan.PaddedW;
        int cp = plan.PaddedChannels;
        int elementStride = TileBlock * cp;
        for (int cb = 0; cb < plan.ChannelBlocks; cb++)
        {
            float* d = x + ((((cb * plan.PaddedH) + (2 * ty)) * wp) + (2 * tx)) * Lanes;
            float* o = v + (r * cp) + (cb * Lanes);
            int rowStride = wp * Lanes;

            // Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1] across each row of the patch, then down the
            // columns, all in registers: one load and one store per element.
            Vector512<float> t00, t01, t02, t03, t10, t11, t12, t13, t20, t21, t22, t23, t30, t31, t32, t33;
            RowTransform(d, out t00, out t01, out t02, out t03);
            RowTransform(d + rowStride, out t10, out t11, out t12, out t13);
            RowTransform(d + (2 * rowStride), out t20, out t21, out t22, out t23);
            RowTransform(d + (3 * rowStride), out t30, out t31, out t32, out t33);
            (t00 - t20).Store(o);
            (t01 - t21).Store(o + elementStride);
            (t02 - t22).Store(o + (2 * elementStride));
            (t03 - t23).Store(o + (3 * elementStride));
            (t10 + t20).Store(o + (4 * elementStride));
            (t11 + t21).Store(o + (5 * elementStride));
            (t12 + t22).Store(o + (6 * elementStride));
            (t13 + t23).Store(o + (7 * elementStride));
            (t20 - t10).Store(o + (8 * elementStride));
            (t21 - t11).Store(o + (9 * elementStride));
            (t22 - t12).Store(o + (10 * elementStride));
            (t23 - t13).Store(o + (11 * elementStride));
            (t10 - t30).Store(o + (12 * elementStride));
            (t11 - t31).Store(o + (13 * elementStride));
            (t12 - t32).Store(o + (14 * elementStride));
            (t13 - t33).Store(o + (15 * elementStride));
        }
    }

    /// <summary>One row (4 pixels of 16 channels) of a patch times B: d0 − d2, d1 + d2, d2 − d1, d1 − d3.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void RowTransform(float* row, out Vector512<float> r0, out Vector512<float> r1, out Vector512<float> r2, out Vector512<float> r3)
    {
        Vector512<float> d0 = Vector512.Load(row), d1 = Vector512.Load(row + Lanes), d2 = Vector512.Load(row + (2 * Lanes)), d3 = Vector512.Load(row + (3 * Lanes));
        r0 = d0 - d2;
        r1 = d1 + d2;
        r2 = d2 - d1;
        r3 = d1 - d3;
    }

    /// <summary>M[e] = V[e]·U[e] for the 12 rows of a block: [12, Cp] · [Cp, Kp], 32 output channels at a time.</summary>
    private static void MultiplyElement(float* v, float* u, float* m, in Plan plan, int e)
    {
        int cp = plan.PaddedChannels;
        int kp = plan.PaddedOutChannels;
        float* a = v + (e * TileBlock * cp);
        float* bBase = u + (e * cp * kp);
        float* cBase = m + (e * TileBlock * kp);
        int ob = 0;
        for (; ob + (2 * Lanes) <= kp; ob += 2 * Lanes)
        {
            Multiply12x32(a, cp, bBase + ob, kp, cBase + ob);
        }

        if (ob < kp)
        {
            Multiply12x16(a, cp, bBase + ob, kp, cBase + ob);
        }
    }

    private static void Multiply12x32(float* a, int cp, float* b, int kp, float* c)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (int k = 0; k < cp; k++)
        {
            Vector512<float> b0 = Vector512.Load(b + (k * kp));
            Vector512<float> b1 = Vector512.Load(b + (k * kp) + Lanes);
            float* ak = a + k;
            Vector512<float> x = Vector512.Create(ak[0]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(ak[cp]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(ak[2 * cp]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(ak[3 * cp]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(ak[4 * cp]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(ak[5 * cp]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(ak[6 * cp]);
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(ak[7 * cp]);
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            x = Vector512.Create(ak[8 * cp]);
            c80 = Vector512.FusedMultiplyAdd(x, b0, c80);
            c81 = Vector512.FusedMultiplyAdd(x, b1, c81);
            x = Vector512.Create(ak[9 * cp]);
            c90 = Vector512.FusedMultiplyAdd(x, b0, c90);
            c91 = Vector512.FusedMultiplyAdd(x, b1, c91);
            x = Vector512.Create(ak[10 * cp]);
            ca0 = Vector512.FusedMultiplyAdd(x, b0, ca0);
            ca1 = Vector512.FusedMultiplyAdd(x, b1, ca1);
            x = Vector512.Create(ak[11 * cp]);
            cb0 = Vector512.FusedMultiplyAdd(x, b0, cb0);
            cb1 = Vector512.FusedMultiplyAdd(x, b1, cb1);
        }

        c00.Store(c);
        c01.Store(c + Lanes);
        c10.Store(c + kp);
        c11.Store(c + kp + Lanes);
        c20.Store(c + (2 * kp));
        c21.Store(c + (2 * kp) + Lanes);
        c30.Store(c + (3 * kp));
        c31.Store(c + (3 * kp) + Lanes);
        c40.Store(c + (4 * kp));
        c41.Store(c + (4 * kp) + Lanes);
        c50.Store(c + (5 * kp));
        c51.Store(c + (5 * kp) + Lanes);
        c60.Store(c + (6 * kp));
        c61.Store(c + (6 * kp) + Lanes);
        c70.Store(c + (7 * kp));
        c71.Store(c + (7 * kp) + Lanes);
        c80.Store(c + (8 * kp));
        c81.Store(c + (8 * kp) + Lanes);
        c90.Store(c + (9 * kp));
        c91.Store(c + (9 * kp) + Lanes);
        ca0.Store(c + (10 * kp));
        ca1.Store(c + (10 * kp) + Lanes);
        cb0.Store(c + (11 * kp));
        cb1.Store(c + (11 * kp) + Lanes);
    }

    private static void Multiply12x16(float* a, int cp, float* b, int kp, float* c)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector512<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (int k = 0; k < cp; k++)
        {
            Vector512<float> b0 = Vector512.Load(b + (k * kp));
            float* ak = a + k;
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[0]), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[cp]), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[2 * cp]), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[3 * cp]), b0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[4 * cp]), b0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[5 * cp]), b0, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[6 * cp]), b0, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[7 * cp]), b0, c7);
            c8 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[8 * cp]), b0, c8);
            c9 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[9 * cp]), b0, c9);
            c10 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[10 * cp]), b0, c10);
            c11 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[11 * cp]), b0, c11);
        }

        c0.Store(c);
        c1.Store(c + kp);
        c2.Store(c + (2 * kp));
        c3.Store(c + (3 * kp));
        c4.Store(c + (4 * kp));
        c5.Store(c + (5 * kp));
        c6.Store(c + (6 * kp));
        c7.Store(c + (7 * kp));
        c8.Store(c + (8 * kp));
        c9.Store(c + (9 * kp));
        c10.Store(c + (10 * kp));
        c11.Store(c + (11 * kp));
    }

    /// <summary>Y = Aᵀ·M·A of block row <paramref name="r"/> (tile (ty, tx)), plus bias (and ReLU), into the sample's staging [pixel][Kp].</summary>
    private static void TransformOutput(float* m, float* bias, in Plan plan, int r, int ty, int tx, float* staging, bool relu)
    {
        ConvGeometry g = plan.Geometry;
        int kp = plan.PaddedOutChannels;
        int elementStride = TileBlock * kp;
        int oy = 2 * ty, ox = 2 * tx;
        bool right = ox + 1 < g.OutW, bottom = oy + 1 < g.OutH;
        float* s00 = staging + (((oy * g.OutW) + ox) * kp);
        float* s10 = s00 + (g.OutW * kp);
        for (int ob = 0; ob < kp; ob += Lanes)
        {
            float* p = m + (r * kp) + ob;

            // Aᵀ = [1 1 1 0; 0 1 −1 −1] down the columns (rows of the 4×4 M), then across.
            Vector512<float> m00 = Vector512.Load(p), m01 = Vector512.Load(p + elementStride), m02 = Vector512.Load(p + (2 * elementStride)), m03 = Vector512.Load(p + (3 * elementStride));
            Vector512<float> m10 = Vector512.Load(p + (4 * elementStride)), m11 = Vector512.Load(p + (5 * elementStride)), m12 = Vector512.Load(p + (6 * elementStride)), m13 = Vector512.Load(p + (7 * elementStride));
            Vector512<float> m20 = Vector512.Load(p + (8 * elementStride)), m21 = Vector512.Load(p + (9 * elementStride)), m22 = Vector512.Load(p + (10 * elementStride)), m23 = Vector512.Load(p + (11 * elementStride));
            Vector512<float> m30 = Vector512.Load(p + (12 * elementStride)), m31 = Vector512.Load(p + (13 * elementStride)), m32 = Vector512.Load(p + (14 * elementStride)), m33 = Vector512.Load(p + (15 * elementStride));
            Vector512<float> a0 = m00 + m10 + m20, a1 = m01 + m11 + m21, a2 = m02 + m12 + m22, a3 = m03 + m13 + m23;
            Vector512<float> b0 = m10 - m20 - m30, b1 = m11 - m21 - m31, b2 = m12 - m22 - m32, b3 = m13 - m23 - m33;
            Vector512<float> bv = Vector512.Load(bias + ob);
            Vector512<float> y00 = a0 + a1 + a2 + bv, y01 = a1 - a2 - a3 + bv;
            Vector512<float> y10 = b0 + b1 + b2 + bv, y11 = b1 - b2 - b3 + bv;
            if (relu)
            {
                y00 = Avx512F.Max(y00, Vector512<float>.Zero);
                y01 = Avx512F.Max(y01, Vector512<float>.Zero);
                y10 = Avx512F.Max(y10, Vector512<float>.Zero);
                y11 = Avx512F.Max(y11, Vector512<float>.Zero);
            }

            y00.Store(s00 + ob);
            if (right)
            {
                y01.Store(s00 + kp + ob);
            }

            if (bottom)
            {
                y10.Store(s10 + ob);
                if (right)
                {
                    y11.Store(s10 + kp + ob);
                }
            }
        }
    }

    /// <summary>
    /// Like <see cref="TransformOutput"/> with ReLU, then the maximum of the tile's four outputs into the
    /// sample's pooled staging [pooled pixel][Kp]; a tile cut by the output's edge is no pooling window.
    /// </summary>
    private static void TransformOutputPooled(float* m, float* bias, in Plan plan, int r, int ty, int tx, float* staging)
    {
        ConvGeometry g = plan.Geometry;
        int pw = g.OutW / 2;
        if (ty >= g.OutH / 2 || tx >= pw)
        {
            return;
        }

        int kp = plan.PaddedOutChannels;
        int elementStride = TileBlock * kp;
        float* s = staging + (((ty * pw) + tx) * kp);
        for (int ob = 0; ob < kp; ob += Lanes)
        {
            float* p = m + (r * kp) + ob;
            Vector512<float> m00 = Vector512.Load(p), m01 = Vector512.Load(p + elementStride), m02 = Vector512.Load(p + (2 * elementStride)), m03 = Vector512.Load(p + (3 * elementStride));
            Vector512<float> m10 = Vector512.Load(p + (4 * elementStride)), m11 = Vector512.Load(p + (5 * elementStride)), m12 = Vector512.Load(p + (6 * elementStride)), m13 = Vector512.Load(p + (7 * elementStride));
            Vector512<float> m20 = Vector512.Load(p + (8 * elementStride)), m21 = Vector512.Load(p + (9 * elementStride)), m22 = Vector512.Load(p + (10 * elementStride)), m23 = Vector512.Load(p + (11 * elementStride));
            Vector512<float> m30 = Vector512.Load(p + (12 * elementStride)), m31 = Vector512.Load(p + (13 * elementStride)), m32 = Vector512.Load(p + (14 * elementStride)), m33 = Vector512.Load(p + (15 * elementStride));
            Vector512<float> a0 = m00 + m10 + m20, a1 = m01 + m11 + m21, a2 = m02 + m12 + m22, a3 = m03 + m13 + m23;
            Vector512<float> b0 = m10 - m20 - m30, b1 = m11 - m21 - m31, b2 = m12 - m22 - m32, b3 = m13 - m23 - m33;
            Vector512<float> bv = Vector512.Load(bias + ob);
            Vector512<float> zero = Vector512<float>.Zero;
            Vector512<float> y00 = Avx512F.Max(a0 + a1 + a2 + bv, zero), y01 = Avx512F.Max(a1 - a2 - a3 + bv, zero);
            Vector512<float> y10 = Avx512F.Max(b0 + b1 + b2 + bv, zero), y11 = Avx512F.Max(b1 - b2 - b3 + bv, zero);
            Avx512F.Max(Avx512F.Max(y00, y01), Avx512F.Max(y10, y11)).Store(s + ob);
        }
    }

    /// <summary>Pixels [p0, p1) of a sample's staging [pixel][Kp] into its NCHW output [K][OutH·OutW].</summary>
    private static void Flush(float* staging, in Plan plan, int p0, int p1, int pixels, float* output)
    {
        int kp = plan.PaddedOutChannels;
        int k = plan.OutChannels;
        float* block = stackalloc float[Lanes * Lanes];
        for (int ob = 0; ob < kp; ob += Lanes)
        {
            int rows = Math.Min(Lanes, k - ob);
            int p = p0;
            for (; p + Lanes <= p1; p += Lanes)
            {
                Transpose16(staging + (p * kp) + ob, kp, Lanes, block);
                for (int i = 0; i < rows; i++)
                {
                    Vector512.Load(block + (i * Lanes)).Store(output + ((ob + i) * pixels) + p);
                }
            }

            for (; p < p1; p++)
            {
                for (int i = 0; i < rows; i++)
                {
                    output[((ob + i) * pixels) + p] = staging[(p * kp) + ob + i];
                }
            }
        }
    }

    /// <summary>
    /// Transposes a 16×16 block: row i of the source (16 floats at <paramref name="src"/> + i·stride,
    /// zero for i ≥ <paramref name="rows"/>) becomes column i of <paramref name="dst"/> [16][16].
    /// </summary>
    private static void Transpose16(float* src, int stride, int rows, float* dst)
    {
        Vector512<float> r0 = Row(src, stride, rows, 0), r1 = Row(src, stride, rows, 1), r2 = Row(src, stride, rows, 2), r3 = Row(src, stride, rows, 3);
        Vector512<float> r4 = Row(src, stride, rows, 4), r5 = Row(src, stride, rows, 5), r6 = Row(src, stride, rows, 6), r7 = Row(src, stride, rows, 7);
        Vector512<float> r8 = Row(src, stride, rows, 8), r9 = Row(src, stride, rows, 9), r10 = Row(src, stride, rows, 10), r11 = Row(src, stride, rows, 11);
        Vector512<float> r12 = Row(src, stride, rows, 12), r13 = Row(src, stride, rows, 13), r14 = Row(src, stride, rows, 14), r15 = Row(src, stride, rows, 15);

        // Pairs of rows interleaved by element, then by pairs of elements: each 128-bit lane of
        // q(4i + j) holds element 4·lane + j of rows 4i..4i+3.
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1), t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<float> t4 = Avx512F.UnpackLow(r4, r5), t5 = Avx512F.UnpackHigh(r4, r5), t6 = Avx512F.UnpackLow(r6, r7), t7 = Avx512F.UnpackHigh(r6, r7);
        Vector512<float> t8 = Avx512F.UnpackLow(r8, r9), t9 = Avx512F.UnpackHigh(r8, r9), t10 = Avx512F.UnpackLow(r10, r11), t11 = Avx512F.UnpackHigh(r10, r11);
        Vector512<float> t12 = Avx512F.UnpackLow(r12, r13), t13 = Avx512F.UnpackHigh(r12, r13), t14 = Avx512F.UnpackLow(r14, r15), t15 = Avx512F.UnpackHigh(r14, r15);
        Vector512<float> q0 = Low(t0, t2), q1 = High(t0, t2), q2 = Low(t1, t3), q3 = High(t1, t3);
        Vector512<float> q4 = Low(t4, t6), q5 = High(t4, t6), q6 = Low(t5, t7), q7 = High(t5, t7);
        Vector512<float> q8 = Low(t8, t10), q9 = High(t8, t10), q10 = Low(t9, t11), q11 = High(t9, t11);
        Vector512<float> q12 = Low(t12, t14), q13 = High(t12, t14), q14 = Low(t13, t15), q15 = High(t13, t15);

        // Then the 128-bit lanes: column 4·lane + j gathers lane `lane` of q(j), q(4 + j), q(8 + j), q(12 + j).
        StoreColumns(q0, q4, q8, q12, dst, 0);
        StoreColumns(q1, q5, q9, q13, dst, 1);
        StoreColumns(q2, q6, q10, q14, dst, 2);
        StoreColumns(q3, q7, q11, q15, dst, 3);
    }

    /// <summary>Columns j, 4 + j, 8 + j and 12 + j from the four quarter-rows that hold them.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void StoreColumns(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d, float* dst, int j)
    {
        Vector512<float> ab02 = Avx512F.Shuffle4x128(a, b, 0x88), ab13 = Avx512F.Shuffle4x128(a, b, 0xDD);
        Vector512<float> cd02 = Avx512F.Shuffle4x128(c, d, 0x88), cd13 = Avx512F.Shuffle4x128(c, d, 0xDD);
        Avx512F.Shuffle4x128(ab02, cd02, 0x88).Store(dst + (j * Lanes));
        Avx512F.Shuffle4x128(ab13, cd13, 0x88).Store(dst + ((4 + j) * Lanes));
        Avx512F.Shuffle4x128(ab02, cd02, 0xDD).Store(dst + ((8 + j) * Lanes));
        Avx512F.Shuffle4x128(ab13, cd13, 0xDD).Store(dst + ((12 + j) * Lanes));
    }

    private static Vector512<float> Row(float* src, int stride, int rows, int i) =>
        i < rows ? Vector512.Load(src + (i * stride)) : Vector512<float>.Zero;

    private static Vector512<float> Low(Vector512<float> a, Vector512<float> b) =>
        Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle();

    private static Vector512<float> High(Vector512<float> a, Vector512<float> b) =>
        Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle();
}
