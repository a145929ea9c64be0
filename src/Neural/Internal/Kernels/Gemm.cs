using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Flow.Neural.Internal.Kernels;

/// <summary>
/// C = op(A)·op(B) (+ C): a cache-blocked GEMM with packed panels and an FMA micro-kernel
/// (Vector512 8×32 or Vector256 6×16), and the scalar triple loop kept as the reference.
/// </summary>
/// <remarks>
/// Blocking follows the BLIS loop order (jc → pc → ic → jr → ir). Every element of C is
/// accumulated in the same order whatever the partition, so splitting rows or columns across
/// cores gives bit-identical results.
/// </remarks>
internal static unsafe class Gemm
{
    private const int Kc = 256;
    private const int Mc = 120;

    /// <summary>Micro-tile height: 8 rows × 32 columns with Vector512 (16 of 32 zmm registers), 6 × 16 with Vector256 (12 of 16 ymm).</summary>
    private static readonly int Mr = Vector512.IsHardwareAccelerated ? 8 : 6;
    private const int Nc = 1024;

    /// <summary>Below this many multiply-adds the call stays on one core.</summary>
    private const long ParallelThreshold = 32 * 1024;

    [ThreadStatic]
    private static float[]? t_packA;

    [ThreadStatic]
    private static float[]? t_packB;

    private const int MrOf512 = 8;

    internal static int Nr => Vector512.IsHardwareAccelerated ? 32 : 16;

    /// <summary>Runs the GEMM. A is m×k (or k×m when <paramref name="a"/> is transposed), B is k×n (or n×k).</summary>
    internal static void Multiply(
        in MatrixRef a,
        in MatrixRef b,
        float[] c,
        int cOffset,
        int ldc,
        int m,
        int n,
        int k,
        bool accumulate,
        GemmPartition partition,
        ComputeOptions options,
        float[]? packedB = null,
        float[]? packedA = null)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                for (int i = 0; i < m; i++)
                {
                    c.AsSpan(cOffset + (i * ldc), n).Clear();
                }
            }

            return;
        }

        if (!options.UseSimd || !Vector256.IsHardwareAccelerated)
        {
            Scalar(a, b, c, cOffset, ldc, m, n, k, accumulate);
            return;
        }

        int dop = options.DegreeOfParallelism;
        if (dop == 1 || (long)m * n * k < ParallelThreshold)
        {
            Blocked(a, b, c, cOffset, ldc, 0, m, 0, n, k, accumulate, packedB, packedA);
            return;
        }

        MultiplyOnCores(a, b, c, cOffset, ldc, m, n, k, accumulate, partition, dop, packedB, packedA);
    }

    /// <summary>
    /// The neuron-parallel case, apart from <see cref="Multiply"/> so that the parts' closure is allocated
    /// only here: captured parameters would make the compiler allocate it on every call, one core or not
    /// (a one-worker training step of the Fashion CNN at batch 128 allocated 134 KB this way, 2 KB without).
    /// </summary>
    private static void MultiplyOnCores(in MatrixRef a, in MatrixRef b, float[] c, int cOffset, int ldc, int m, int n, int k, bool accumulate, GemmPartition partition, int dop, float[]? packedB, float[]? packedA)
    {
        int nr = Nr;
        int extent = partition == GemmPartition.Columns ? n : m;
        int align = partition == GemmPartition.Columns ? nr : Mr;
        int chunk = ((((extent + dop - 1) / dop) + align - 1) / align) * align;
        int workers = (extent + chunk - 1) / chunk;
        MatrixRef aa = a;
        MatrixRef bb = b;
        void Part(int w)
        {
            int start = w * chunk;
            int end = Math.Min(extent, start + chunk);
            if (partition == GemmPartition.Columns)
            {
                Blocked(aa, bb, c, cOffset, ldc, 0, m, start, end, k, accumulate, packedB, packedA);
            }
            else
            {
                Blocked(aa, bb, c, cOffset, ldc, start, end, 0, n, k, accumulate, packedB, packedA);
            }
        }

        // The worker team's helpers spin between calls, so back-to-back layers start on both cores at once.
        Threading.WorkerTeam.Shared.Run(workers, Part);
    }

    /// <summary>The scalar reference: a plain triple loop, no blocking, no SIMD.</summary>
    internal static void Scalar(in MatrixRef a, in MatrixRef b, float[] c, int cOffset, int ldc, int m, int n, int k, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    sum += a.At(i, p) * b.At(p, j);
                }

                int idx = cOffset + (i * ldc) + j;
                c[idx] = accumulate ? c[idx] + sum : sum;
            }
        }
    }

    /// <summary>
    /// Packs all of op(B) (k×n) into the panel layout the micro-kernel reads, so a B used by many
    /// calls (a layer's weights across the micro-batches of one step) is packed once.
    /// </summary>
    internal static float[] PackWhole(in MatrixRef b, int k, int n, float[]? reuse = null)
    {
        int nr = Nr;
        int panels = (n + nr - 1) / nr;
        int length = panels * nr * k;
        float[] packed = reuse is not null && reuse.Length == length ? reuse : new float[length];
        fixed (float* dst = packed)
        {
            for (int pc = 0; pc < k; pc += Kc)
            {
                PackB(b, dst + ((long)pc * panels * nr), pc, Math.Min(Kc, k - pc), 0, n, nr);
            }
        }

        return packed;
    }

    /// <summary>
    /// Packs all of op(A) (m×k) into the sliver layout the micro-kernel reads: for each k block at
    /// pc, the m rows (padded to the sliver height) × kc, so a block of rows starting at ic (a multiple
    /// of the sliver height) sits at pc·mPadded + ic·kc. A matrix multiplied by many small B tiles
    /// (a convolution's weights by each tile of im2col columns) is then packed once, not once per tile.
    /// </summary>
    internal static float[] PackWholeA(in MatrixRef a, int m, int k, float[]? reuse = null)
    {
        int mPadded = ((m + Mr - 1) / Mr) * Mr;
        int length = mPadded * k;
        float[] packed = reuse is not null && reuse.Length == length ? reuse : new float[length];
        fixed (float* dst = packed)
        {
            for (int pc = 0; pc < k; pc += Kc)
            {
                int kc = Math.Min(Kc, k - pc);
                for (int ic = 0; ic < m; ic += Mc)
                {
                    PackA(a, dst + ((long)pc * mPadded) + ((long)ic * kc), ic, Math.Min(Mc, m - ic), pc, kc);
                }
            }
        }

        return packed;
    }

    private static void Blocked(in MatrixRef a, in MatrixRef b, float[] c, int cOffset, int ldc, int i0, int i1, int j0, int j1, int k, bool accumulate, float[]? packedB, float[]? packedA)
    {
        int nr = Nr;
        // Pinned, so the 64-byte-aligned start found below stays put: every Vector512 load of a packed
        // panel then reads one cache line, not two.
        float[] packA = t_packA ??= GC.AllocateUninitializedArray<float>((Mc * Kc) + 16, pinned: true);
        float[] packB = t_packB ??= GC.AllocateUninitializedArray<float>((Kc * (Nc + 32)) + 16, pinned: true);
        float* tile = stackalloc float[8 * 32];

        fixed (float* pa0 = packA)
        fixed (float* pb0 = packB)
        fixed (float* pc0 = c)
        fixed (float* pbData = b.Data)
        fixed (float* pPre = packedB)
        fixed (float* pPreA = packedA)
        {
            float* pa = (float*)(((nint)pa0 + 63) & ~(nint)63);
            float* pb = (float*)(((nint)pb0 + 63) & ~(nint)63);
            int mPadded = packedA is null ? 0 : packedA.Length / k;
            int panelsOfB = packedB is null ? 0 : packedB.Length / (k * nr);
            float* pbSrc = pbData + b.Offset;
            float* cBase = pc0 + cOffset;
            for (int jc = j0; jc < j1; jc += Nc)
            {
                int nc = Math.Min(Nc, j1 - jc);
                for (int pcIdx = 0; pcIdx < k; pcIdx += Kc)
                {
                    int kc = Math.Min(Kc, k - pcIdx);
                    bool load = accumulate || pcIdx > 0;

                    // Packing B pays off when the packed block is reused by several row blocks of A, or
                    // when B's rows are far apart (a panel read in place then touches kc distant pages;
                    // in one noisy run m=32, n=12544, k=144 gave 25 GFLOP/s in place and 41 packed). With
                    // one row block and either few rows of A or nearby rows of B (per-sample convolutions:
                    // 40 vs 25 GFLOP/s in the same run), the micro-kernel reads full panels of a row-major
                    // B in place; only a ragged last panel is packed.
                    int rowsOfA = i1 - i0;
                    bool direct = packedB is null && !b.Transposed && rowsOfA <= Mc && (rowsOfA <= 16 || (long)b.Stride * kc <= 65536);
                    // A B already packed for the whole matrix needs nothing per block.
                    if (direct)
                    {
                        int ragged = nc % nr;
                        if (ragged != 0)
                        {
                            PackB(b, pb + ((nc - ragged) * kc), pcIdx, kc, jc + nc - ragged, ragged, nr);
                        }
                    }
                    else if (packedB is null && rowsOfA > Mc)
                    {
                        PackB(b, pb, pcIdx, kc, jc, nc, nr);
                    }

                    // With a single row block of A each packed panel of B is used once, by that block's
                    // slivers: pack it just before them into one reused panel (hot in L1) instead of
                    // packing the whole kc×nc block first (1 MiB at nc = 1024, which leaves L2 before use).
                    bool panelAtATime = !direct && packedB is null && rowsOfA <= Mc;

                    for (int ic = i0; ic < i1; ic += Mc)
                    {
                        int mc = Math.Min(Mc, i1 - ic);
                        float* aBlock = pa;
                        if (packedA is null)
                        {
                            PackA(a, pa, ic, mc, pcIdx, kc);
                        }
                        else
                        {
                            aBlock = pPreA + ((long)pcIdx * mPadded) + ((long)ic * kc);
                        }

                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int nrEff = Math.Min(nr, nc - jr);
                            if (panelAtATime)
                            {
                                PackB(b, pb, pcIdx, kc, jc + jr, nrEff, nr);
                            }

                            bool inPlace = direct && nrEff == nr;
                            float* bPanel = packedB is not null
                                ? pPre + ((long)pcIdx * panelsOfB * nr) + ((long)(jc + jr) * kc)
                                : inPlace ? pbSrc + ((pcIdx * b.Stride) + jc + jr) : panelAtATime ? pb : pb + (jr * kc);
                            int bStride = inPlace ? b.Stride : nr;
                            for (int ir = 0; ir < mc; ir += Mr)
                            {
                                int mrEff = Math.Min(Mr, mc - ir);
                                float* aPanel = aBlock + (ir * kc);
                                float* cTile = cBase + ((ic + ir) * ldc) + jc + jr;
                                if (mrEff == Mr && nrEff == nr)
                                {
                                    MicroKernel(kc, aPanel, bPanel, bStride, cTile, ldc, load);
                                }
                                else
                                {
                                    if (nrEff <= 16 && Vector512.IsHardwareAccelerated)
                                    {
                                        // A ragged last panel of at most 16 columns: half the zero-padded work.
                                        MicroKernel512Half(kc, aPanel, bPanel, bStride, tile, nr);
                                    }
                                    else
                                    {
                                        MicroKernel(kc, aPanel, bPanel, bStride, tile, nr, load: false);
                                    }

                                    StoreEdge(tile, nr, cTile, ldc, mrEff, nrEff, load);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Adds or copies the valid mr×nr corner of a full tile into C; whole rows go through SIMD.</summary>
    private static void StoreEdge(float* tile, int nr, float* c, int ldc, int mrEff, int nrEff, bool load)
    {
        for (int r = 0; r < mrEff; r++)
        {
            float* dst = c + (r * ldc);
            float* src = tile + (r * nr);
            int q = 0;
            for (; q + Vector256<float>.Count <= nrEff; q += Vector256<float>.Count)
            {
                Vector256<float> v = Vector256.Load(src + q);
                if (load)
                {
                    v += Vector256.Load(dst + q);
                }

                Vector256.Store(v, dst + q);
            }

            for (; q < nrEff; q++)
            {
                dst[q] = load ? dst[q] + src[q] : src[q];
            }
        }
    }

    /// <summary>Packs op(A)[ic..ic+mc, pc..pc+kc] into Mr-tall slivers, k-major, zero-padded.</summary>
    private static void PackA(in MatrixRef a, float* dst, int ic, int mc, int pc, int kc)
    {
        fixed (float* src0 = a.Data)
        {
            float* src = src0 + a.Offset;
            for (int ir = 0; ir < mc; ir += Mr)
            {
                int mrEff = Math.Min(Mr, mc - ir);
                float* panel = dst + (ir * kc);
                int done = 0;
                if (mrEff == 8 && Mr == 8 && Avx.IsSupported)
                {
                    // A full 8-row sliver: whole vectors instead of one float at a time. Untransposed, an
                    // 8×8 block of 8 rows goes through the register transpose; transposed, the 8 rows of
                    // one k step are 8 consecutive stored floats.
                    if (a.Transposed)
                    {
                        float* from = src + ((long)pc * a.Stride) + ic + ir;
                        for (; done < kc; done++)
                        {
                            Avx.Store(panel + (done * 8), Avx.LoadVector256(from + ((long)done * a.Stride)));
                        }
                    }
                    else
                    {
                        float* from = src + ((long)(ic + ir) * a.Stride) + pc;
                        for (; done + 8 <= kc; done += 8)
                        {
                            Transpose8x8(from + done, a.Stride, panel + (done * 8), 8);
                        }
                    }
                }

                for (int p = done; p < kc; p++)
                {
                    float* outp = panel + (p * Mr);
                    int r = 0;
                    for (; r < mrEff; r++)
                    {
                        int row = ic + ir + r;
                        int col = pc + p;
                        outp[r] = a.Transposed ? src[(col * a.Stride) + row] : src[(row * a.Stride) + col];
                    }

                    for (; r < Mr; r++)
                    {
                        outp[r] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>Packs op(B)[pc..pc+kc, jc..jc+nc] into nr-wide slivers, k-major, zero-padded.</summary>
    private static void PackB(in MatrixRef b, float* dst, int pc, int kc, int jc, int nc, int nr)
    {
        fixed (float* src0 = b.Data)
        {
            float* src = src0 + b.Offset;
            for (int jr = 0; jr < nc; jr += nr)
            {
                int nrEff = Math.Min(nr, nc - jr);
                float* panel = dst + (jr * kc);
                if (!b.Transposed && nrEff == nr)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        Unsafe.CopyBlockUnaligned(panel + (p * nr), src + ((pc + p) * b.Stride) + jc + jr, (uint)(nr * sizeof(float)));
                    }

                    continue;
                }

                if (b.Transposed)
                {
                    // op(B)[p, q] = stored[jc+jr+q, pc+p]: the panel is written front to back while the
                    // nrEff stored rows are read in lockstep, one float each per p, so their current cache
                    // lines stay in L1 (scattering each stored row down a panel column was ~10x slower).
                    float* first = src + ((jc + jr) * b.Stride) + pc;
                    int done = 0;
                    if (nrEff == nr && Avx.IsSupported)
                    {
                        // 8×8 blocks transposed in registers: 8 stored rows are read 8 floats at a time
                        // (8 rows 4 KiB apart fit one 8-way L1 set; 32 rows in lockstep thrash it).
                        done = kc & ~7;
                        for (int q0 = 0; q0 < nr; q0 += 8)
                        {
                            for (int p = 0; p < done; p += 8)
                            {
                                Transpose8x8(first + (q0 * b.Stride) + p, b.Stride, panel + (p * nr) + q0, nr);
                            }
                        }
                    }

                    for (int p = done; p < kc; p++)
                    {
                        float* outp = panel + (p * nr);
                        float* from = first + p;
                        int q = 0;
                        for (; q < nrEff; q++)
                        {
                            outp[q] = from[q * b.Stride];
                        }

                        for (; q < nr; q++)
                        {
                            outp[q] = 0f;
                        }
                    }

                    continue;
                }

                for (int p = 0; p < kc; p++)
                {
                    float* outp = panel + (p * nr);
                    float* from = src + ((pc + p) * b.Stride) + jc + jr;
                    int q = 0;
                    for (; q < nrEff; q++)
                    {
                        outp[q] = from[q];
                    }

                    for (; q < nr; q++)
                    {
                        outp[q] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>Writes the transpose of the 8×8 block at <paramref name="src"/> (row stride <paramref name="ldSrc"/>) to <paramref name="dst"/> (row stride <paramref name="ldDst"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, int ldSrc, float* dst, int ldDst)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + ldSrc);
        Vector256<float> r2 = Avx.LoadVector256(src + (2 * ldSrc)), r3 = Avx.LoadVector256(src + (3 * ldSrc));
        Vector256<float> r4 = Avx.LoadVector256(src + (4 * ldSrc)), r5 = Avx.LoadVector256(src + (5 * ldSrc));
        Vector256<float> r6 = Avx.LoadVector256(src + (6 * ldSrc)), r7 = Avx.LoadVector256(src + (7 * ldSrc));
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldDst, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + (2 * ldDst), Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + (3 * ldDst), Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + (4 * ldDst), Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + (5 * ldDst), Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + (6 * ldDst), Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + (7 * ldDst), Avx.Permute2x128(u3, u7, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MicroKernel(int kc, float* a, float* b, int bStride, float* c, int ldc, bool load)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            MicroKernel512(kc, a, b, bStride, c, ldc, load);
        }
        else
        {
            MicroKernel256(kc, a, b, bStride, c, ldc, load);
        }
    }

    private static void MicroKernel512(int kc, float* a, float* b, int bStride, float* c, int ldc, bool load)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        if (load)
        {
            // The tile of C is read only after the k loop; fetching it now hides the cache misses of
            // an accumulating GEMM (a weight gradient's C is megabytes, far outside L2) behind the FMAs.
            for (int r = 0; r < 8; r++)
            {
                Sse.Prefetch0(c + (r * ldc));
                Sse.Prefetch0(c + (r * ldc) + 16);
            }
        }

        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> av = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(av, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(av, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(av, b1, c71);
            a += MrOf512;
            b += bStride;
        }

        Store512(c, c00, c01, load);
        Store512(c + ldc, c10, c11, load);
        Store512(c + (2 * ldc), c20, c21, load);
        Store512(c + (3 * ldc), c30, c31, load);
        Store512(c + (4 * ldc), c40, c41, load);
        Store512(c + (5 * ldc), c50, c51, load);
        Store512(c + (6 * ldc), c60, c61, load);
        Store512(c + (7 * ldc), c70, c71, load);
    }

    /// <summary>8×16 variant for ragged panels: the same per-element FMA chain as the 8×32 kernel.</summary>
    private static void MicroKernel512Half(int kc, float* a, float* b, int bStride, float* c, int ldc)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), b0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), b0, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(a[6]), b0, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(a[7]), b0, c7);
            a += MrOf512;
            b += bStride;
        }

        Vector512.Store(c0, c);
        Vector512.Store(c1, c + ldc);
        Vector512.Store(c2, c + (2 * ldc));
        Vector512.Store(c3, c + (3 * ldc));
        Vector512.Store(c4, c + (4 * ldc));
        Vector512.Store(c5, c + (5 * ldc));
        Vector512.Store(c6, c + (6 * ldc));
        Vector512.Store(c7, c + (7 * ldc));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> v0, Vector512<float> v1, bool load)
    {
        if (load)
        {
            v0 += Vector512.Load(c);
            v1 += Vector512.Load(c + 16);
        }

        Vector512.Store(v0, c);
        Vector512.Store(v1, c + 16);
    }

    private static void MicroKernel256(int kc, float* a, float* b, int bStride, float* c, int ldc, bool load)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> av = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
            a += 6;
            b += bStride;
        }

        Store256(c, c00, c01, load);
        Store256(c + ldc, c10, c11, load);
        Store256(c + (2 * ldc), c20, c21, load);
        Store256(c + (3 * ldc), c30, c31, load);
        Store256(c + (4 * ldc), c40, c41, load);
        Store256(c + (5 * ldc), c50, c51, load);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, Vector256<float> v0, Vector256<float> v1, bool load)
    {
        if (load)
        {
            v0 += Vector256.Load(c);
            v1 += Vector256.Load(c + 8);
        }

        Vector256.Store(v0, c);
        Vector256.Store(v1, c + 8);
    }
}
