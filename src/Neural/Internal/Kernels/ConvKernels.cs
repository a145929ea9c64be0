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
internal static class ConvKernels
{
    /// <summary>
    /// Unfolds one sample (C×H×W at <paramref name="xOffset"/>) into the column matrix
    /// [C·KH·KW, <paramref name="ldCol"/>], writing columns starting at <paramref name="colOffset"/>.
    /// </summary>
    internal static void Im2Col(float[] x, int xOffset, in ConvGeometry g, float[] col, int colOffset, int ldCol)
    {
        int oh = g.OutH, ow = g.OutW;
        for (int c = 0; c < g.Channels; c++)
        {
            for (int ky = 0; ky < g.KernelH; ky++)
            {
                for (int kx = 0; kx < g.KernelW; kx++)
                {
                    int row = (((c * g.KernelH) + ky) * g.KernelW) + kx;
                    int dst = colOffset + (row * ldCol);
                    for (int oy = 0; oy < oh; oy++)
                    {
                        int iy = (oy * g.StrideH) - g.PadH + ky;
                        if ((uint)iy >= (uint)g.Height)
                        {
                            col.AsSpan(dst + (oy * ow), ow).Clear();
                            continue;
                        }

                        int src = xOffset + (((c * g.Height) + iy) * g.Width);
                        int rowStart = dst + (oy * ow);
                        if (g.StrideW == 1)
                        {
                            // Stride 1: the valid columns are one contiguous run; copy it and zero the padding.
                            int first = Math.Clamp(g.PadW - kx, 0, ow);
                            int last = Math.Clamp(g.Width + g.PadW - kx, first, ow);
                            col.AsSpan(rowStart, first).Clear();
                            x.AsSpan(src + first - g.PadW + kx, last - first).CopyTo(col.AsSpan(rowStart + first));
                            col.AsSpan(rowStart + last, ow - last).Clear();
                            continue;
                        }

                        for (int ox = 0; ox < ow; ox++)
                        {
                            int ix = (ox * g.StrideW) - g.PadW + kx;
                            col[rowStart + ox] = (uint)ix < (uint)g.Width ? x[src + ix] : 0f;
                        }
                    }
                }
            }
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
