using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Flow.Neural.Internal.Kernels;

/// <summary>Geometry of a 2-D convolution or pooling window.</summary>
/// <param name="Channels">Input channels.</param>
/// <param name="Height">Input height.</param>
/// <param name="Width">Input width.</param>
/// <param name="KernelH">Window height.</param>
/// <param name="KernelW">Window width.</param>
/// <param name="StrideH">Vertical stride.</param>
/// <param name="StrideW">Horizontal stride.</param>
/// <param name="PadH">Zero padding above and below.</param>
/// <param name="PadW">Zero padding left and right.</param>
internal readonly record struct ConvGeometry(int Channels, int Height, int Width, int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW)
{
    internal int OutH => ((Height + (2 * PadH) - KernelH) / StrideH) + 1;

    internal int OutW => ((Width + (2 * PadW) - KernelW) / StrideW) + 1;

    internal int ColRows => Channels * KernelH * KernelW;
}

/// <summary>im2col / col2im and max pooling.</summary>
internal static unsafe class ConvKernels
{
    /// <summary>The common 2×2, stride-2 window without bounds checks (first maximum wins, as in the general path).</summary>
    private static void MaxPool2x2(float[] x, int h, int w, int oh, int ow, float[] y, int[] argmax, int planeStart, int planeEnd)
    {
        fixed (float* px = x)
        fixed (float* py = y)
        fixed (int* pi = argmax)
        {
            for (int plane = planeStart; plane < planeEnd; plane++)
            {
                int inBase = plane * h * w;
                float* outRow = py + (plane * oh * ow);
                int* idxRow = pi + (plane * oh * ow);
                for (int oy = 0; oy < oh; oy++)
                {
                    int top = inBase + (2 * oy * w);
                    int bottom = top + w;
                    for (int ox = 0; ox < ow; ox++)
                    {
                        // Branch-free: on real activations the comparisons are coin flips, and a
                        // mispredicted branch costs more than the arithmetic (measured 6x on this loop).
                        int i0 = top + (2 * ox);
                        int i2 = bottom + (2 * ox);
                        float a = px[i0], b = px[i0 + 1], c = px[i2], d = px[i2 + 1];
                        int j1 = i0 + (b > a ? 1 : 0);
                        int j2 = i2 + (d > c ? 1 : 0);
                        float m1 = MathF.Max(a, b), m2 = MathF.Max(c, d);
                        int lower = m2 > m1 ? 1 : 0;
                        float v = MathF.Max(m1, m2);
                        int best = j1 + (lower * (j2 - j1));
                        outRow[ox] = v;
                        idxRow[ox] = best;
                    }

                    outRow += ow;
                    idxRow += ow;
                }
            }
        }
    }

    /// <summary>Whether the window is the common 2×2, stride 2, unpadded one.</summary>
    internal static bool IsPool2x2(in ConvGeometry g) =>
        g.KernelH == 2 && g.KernelW == 2 && g.StrideH == 2 && g.StrideW == 2 && g.PadH == 0 && g.PadW == 0;

    /// <summary>
    /// 2×2, stride-2 max pooling of <paramref name="planes"/> planes of h×w without arg-max (inference):
    /// 16 inputs of a row pair give 8 outputs per Vector256 step. The values equal <see cref="MaxPool"/>'s.
    /// </summary>
    internal static void MaxPool2x2Values(float[] x, int h, int w, float[] y, int planes)
    {
        int oh = h / 2, ow = w / 2;
        fixed (float* px = x)
        fixed (float* py = y)
        {
            float* xEnd = px + ((long)planes * h * w);
            float* yEnd = py + ((long)planes * oh * ow);
            for (int plane = 0; plane < planes; plane++)
            {
                float* inPlane = px + ((long)plane * h * w);
                float* outRow = py + ((long)plane * oh * ow);
                for (int oy = 0; oy < oh; oy++)
                {
                    float* top = inPlane + (2 * oy * w);
                    float* bottom = top + w;
                    int ox = 0;
                    if (Avx2.IsSupported)
                    {
                        for (; ox + 8 <= ow; ox += 8)
                        {
                            Pool8(top + (2 * ox), bottom + (2 * ox), outRow + ox);
                        }

                        // The rest of the row as one more vector instead of scalar maxima: ending at the
                        // row's end (overlapping outputs already written, same values), or, in a row
                        // narrower than 8, running into the next output row, which is written after this
                        // one — unless that would read or write past the arrays.
                        if (ox < ow)
                        {
                            if (ow >= 8)
                            {
                                Pool8(top + (2 * (ow - 8)), bottom + (2 * (ow - 8)), outRow + ow - 8);
                                ox = ow;
                            }
                            else if (bottom + 16 <= xEnd && outRow + 8 <= yEnd)
                            {
                                Pool8(top, bottom, outRow);
                                ox = ow;
                            }
                        }
                    }

                    for (; ox < ow; ox++)
                    {
                        int i = 2 * ox;
                        outRow[ox] = MathF.Max(MathF.Max(top[i], top[i + 1]), MathF.Max(bottom[i], bottom[i + 1]));
                    }

                    outRow += ow;
                }
            }
        }
    }

    /// <summary>out[0, 8) = the 2×2 maxima of input columns [0, 16) of the rows at <paramref name="top"/> and <paramref name="bottom"/>.</summary>
    private static void Pool8(float* top, float* bottom, float* output)
    {
        Vector256<float> a = Avx.Max(Avx.LoadVector256(top), Avx.LoadVector256(bottom));
        Vector256<float> b = Avx.Max(Avx.LoadVector256(top + 8), Avx.LoadVector256(bottom + 8));

        // Even and odd columns side by side, then the 128-bit lanes back in order.
        Vector256<float> m = Avx.Max(Avx.Shuffle(a, b, 0b10_00_10_00), Avx.Shuffle(a, b, 0b11_01_11_01));
        Avx.Store(output, Avx2.Permute4x64(m.AsDouble(), 0b11_01_10_00).AsSingle());
    }

    /// <summary>
    /// Unfolds one sample (C×H×W at <paramref name="xOffset"/>) into the column matrix
    /// [C·KH·KW, <paramref name="ldCol"/>], writing columns starting at <paramref name="colOffset"/>.
    /// </summary>
    internal static void Im2Col(float[] x, int xOffset, in ConvGeometry g, float[] col, int colOffset, int ldCol) =>
        Im2Col(x, xOffset, g, col, colOffset, ldCol, 0, g.OutH);

    /// <summary>
    /// Unfolds output rows [<paramref name="oyStart"/>, <paramref name="oyEnd"/>) only: columns
    /// [oyStart·OutW, oyEnd·OutW) of every row of the column matrix, so that a tile of output positions
    /// can be unfolded, multiplied and biased by one core while it is in cache.
    /// </summary>
    internal static void Im2Col(float[] x, int xOffset, in ConvGeometry g, float[] col, int colOffset, int ldCol, int oyStart, int oyEnd)
    {
        int ow = g.OutW;
        fixed (float* px0 = x)
        fixed (float* pc0 = col)
        {
            float* px = px0 + xOffset;
            for (int c = 0; c < g.Channels; c++)
            {
                for (int ky = 0; ky < g.KernelH; ky++)
                {
                    for (int kx = 0; kx < g.KernelW; kx++)
                    {
                        int row = (((c * g.KernelH) + ky) * g.KernelW) + kx;
                        float* dstRow = pc0 + colOffset + (row * ldCol);

                        // The output columns whose input column is inside the image: one contiguous run
                        // for stride 1, so rows are copied as blocks with the padding zeroed around them.
                        int first = Math.Clamp(g.PadW - kx, 0, ow);
                        int last = Math.Clamp(g.Width + g.PadW - kx, first, ow);
                        for (int oy = oyStart; oy < oyEnd; oy++)
                        {
                            float* dst = dstRow + (oy * ow);
                            int iy = (oy * g.StrideH) - g.PadH + ky;
                            if ((uint)iy >= (uint)g.Height)
                            {
                                new Span<float>(dst, ow).Clear();
                                continue;
                            }

                            float* src = px + (((c * g.Height) + iy) * g.Width);
                            if (g.StrideW == 1)
                            {
                                for (int q = 0; q < first; q++)
                                {
                                    dst[q] = 0f;
                                }

                                CopyRun(src + first - g.PadW + kx, dst + first, last - first);
                                for (int q = last; q < ow; q++)
                                {
                                    dst[q] = 0f;
                                }

                                continue;
                            }

                            for (int ox = 0; ox < ow; ox++)
                            {
                                int ix = (ox * g.StrideW) - g.PadW + kx;
                                dst[ox] = (uint)ix < (uint)g.Width ? src[ix] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Copies a short run (an output row: 14 or 28 floats here) with Vector256 moves, the last one overlapping, instead of a memcpy call.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void CopyRun(float* from, float* to, int length)
    {
        if (length >= 8 && Vector256.IsHardwareAccelerated)
        {
            int q = 0;
            for (; q + 8 <= length; q += 8)
            {
                Vector256.Store(Vector256.Load(from + q), to + q);
            }

            if (q < length)
            {
                Vector256.Store(Vector256.Load(from + length - 8), to + length - 8);
            }

            return;
        }

        for (int q = 0; q < length; q++)
        {
            to[q] = from[q];
        }
    }

    /// <summary>Folds a column matrix back, adding into one sample of <paramref name="dx"/> (which the caller zeroes).</summary>
    internal static void Col2Im(float[] col, int colOffset, int ldCol, in ConvGeometry g, float[] dx, int dxOffset)
    {
        int oh = g.OutH, ow = g.OutW;
        for (int c = 0; c < g.Channels; c++)
        {
            for (int ky = 0; ky < g.KernelH; ky++)
            {
                for (int kx = 0; kx < g.KernelW; kx++)
                {
                    int row = (((c * g.KernelH) + ky) * g.KernelW) + kx;
                    int src = colOffset + (row * ldCol);
                    for (int oy = 0; oy < oh; oy++)
                    {
                        int iy = (oy * g.StrideH) - g.PadH + ky;
                        if ((uint)iy >= (uint)g.Height)
                        {
                            continue;
                        }

                        int dst = dxOffset + (((c * g.Height) + iy) * g.Width);
                        for (int ox = 0; ox < ow; ox++)
                        {
                            int ix = (ox * g.StrideW) - g.PadW + kx;
                            if ((uint)ix < (uint)g.Width)
                            {
                                dx[dst + ix] += col[src + (oy * ow) + ox];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Max pooling over planes [planeStart, planeEnd) of [planes, H, W]; records the argmax of each output.</summary>
    internal static void MaxPool(float[] x, in ConvGeometry g, float[] y, int[] argmax, int planeStart, int planeEnd)
    {
        int oh = g.OutH, ow = g.OutW;
        if (IsPool2x2(g))
        {
            MaxPool2x2(x, g.Height, g.Width, oh, ow, y, argmax, planeStart, planeEnd);
            return;
        }

        for (int plane = planeStart; plane < planeEnd; plane++)
        {
            int inBase = plane * g.Height * g.Width;
            int outBase = plane * oh * ow;
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    float best = float.NegativeInfinity;
                    int bestIdx = -1;
                    for (int ky = 0; ky < g.KernelH; ky++)
                    {
                        int iy = (oy * g.StrideH) - g.PadH + ky;
                        if ((uint)iy >= (uint)g.Height)
                        {
                            continue;
                        }

                        for (int kx = 0; kx < g.KernelW; kx++)
                        {
                            int ix = (ox * g.StrideW) - g.PadW + kx;
                            if ((uint)ix >= (uint)g.Width)
                            {
                                continue;
                            }

                            int idx = inBase + (iy * g.Width) + ix;
                            if (bestIdx < 0 || x[idx] > best)
                            {
                                best = x[idx];
                                bestIdx = idx;
                            }
                        }
                    }

                    y[outBase + (oy * ow) + ox] = best;
                    argmax[outBase + (oy * ow) + ox] = bestIdx;
                }
            }
        }
    }
}
