using Flow.Neural.Internal.Kernels;

namespace Flow.Neural.Tests.Internal.Kernels;

public class WinogradConvolutionTests
{
    public static TheoryData<int, int, int, int, int, int, bool> Geometries => new()
    {
        // batch, channels, height, width, output channels, padding, ReLU
        { 1, 16, 14, 14, 32, 1, true },
        { 3, 16, 14, 14, 32, 1, false },
        { 2, 9, 7, 9, 17, 1, false },
        { 3, 8, 5, 6, 8, 0, true },
        { 2, 12, 4, 4, 20, 2, false },
        { 5, 8, 3, 3, 8, 0, false },
        { 2, 17, 11, 5, 33, 1, true },
        { 1, 33, 6, 13, 48, 2, false },
    };

    [Fact]
    public void Supports_OtherKernelsStridesOrFewChannels_False()
    {
        Assert.False(WinogradConvolution.Supports(new ConvGeometry(16, 8, 8, 5, 5, 1, 1, 2, 2), 16));
        Assert.False(WinogradConvolution.Supports(new ConvGeometry(16, 8, 8, 3, 3, 2, 2, 1, 1), 16));
        Assert.False(WinogradConvolution.Supports(new ConvGeometry(4, 8, 8, 3, 3, 1, 1, 1, 1), 16));
        Assert.False(WinogradConvolution.Supports(new ConvGeometry(16, 8, 8, 3, 3, 1, 1, 1, 1), 4));
    }

    [SkippableTheory]
    [MemberData(nameof(Geometries))]
    public void Run_EqualsDefinitionWithin1e5Relative_AndAnySplitOfTileRowsIsBitIdentical(int batch, int channels, int height, int width, int outChannels, int padding, bool relu)
    {
        var g = new ConvGeometry(channels, height, width, 3, 3, 1, 1, padding, padding);
        Skip.IfNot(System.Runtime.Intrinsics.X86.Avx512F.IsSupported, "the Winograd convolution kernel needs AVX-512 (Avx512F intrinsics), which this CPU lacks");
        Assert.True(WinogradConvolution.Supports(g, outChannels));

        float[] x = TestData.Random(1, batch, channels, height, width).Data;
        float[] w = TestData.Random(2, outChannels, g.ColRows).Data;
        float[] bias = TestData.Random(3, outChannels).Data;
        int plane = g.OutH * g.OutW;
        var plan = new WinogradConvolution.Plan(g, outChannels);
        var u = default(WinogradConvolution.AlignedBuffer);
        WinogradConvolution.TransformWeights(w, plan, ref u);
        int tiles = batch * plan.Tiles;

        var whole = new float[batch * outChannels * plane];
        Array.Fill(whole, float.NaN);
        WinogradConvolution.Run(x, u, bias, plan, whole, 0, tiles, relu, new WinogradConvolution.Workspace());

        for (int n = 0; n < batch; n++)
        {
            for (int oc = 0; oc < outChannels; oc++)
            {
                for (int oy = 0; oy < g.OutH; oy++)
                {
                    for (int ox = 0; ox < g.OutW; ox++)
                    {
                        (double expected, double scale) = Reference(x, n, w, bias[oc], g, oc, oy, ox);
                        if (relu)
                        {
                            expected = Math.Max(expected, 0);
                        }

                        float actual = whole[(((n * outChannels) + oc) * plane) + (oy * g.OutW) + ox];
                        Assert.True(Math.Abs(actual - expected) <= 1e-5 * Math.Max(scale, 1e-3), $"y[{n},{oc},{oy},{ox}]: Winograd {actual} reference {expected}");
                    }
                }
            }
        }

        // Split into runs of whole tile rows (as cores take them), with reused workspaces: the same bits.
        int tileRows = batch * plan.TilesH;
        foreach (int parts in new[] { 2, 3, tileRows })
        {
            var split = new float[whole.Length];
            Array.Fill(split, float.NaN);
            var work = new WinogradConvolution.Workspace();
            for (int part = 0; part < parts; part++)
            {
                int first = tileRows * part / parts * plan.TilesW;
                int end = tileRows * (part + 1) / parts * plan.TilesW;
                if (first < end)
                {
                    WinogradConvolution.Run(x, u, bias, plan, split, first, end, relu, work);
                }
            }

            Assert.Equal(whole, split);
        }
    }

    /// <summary>The output at (n, oc, oy, ox) by the definition, and Σ|w||x| (the scale of its rounding error).</summary>
    private static (double Value, double Scale) Reference(float[] x, int n, float[] w, float bias, ConvGeometry g, int oc, int oy, int ox)
    {
        double sum = bias, scale = Math.Abs(bias);
        int sample = n * g.Channels * g.Height * g.Width;
        for (int c = 0; c < g.Channels; c++)
        {
            for (int ky = 0; ky < 3; ky++)
            {
                for (int kx = 0; kx < 3; kx++)
                {
                    int iy = oy + ky - g.PadH, ix = ox + kx - g.PadW;
                    if (iy < 0 || iy >= g.Height || ix < 0 || ix >= g.Width)
                    {
                        continue;
                    }

                    double product = (double)w[(oc * g.ColRows) + (((c * 3) + ky) * 3) + kx] * x[sample + (((c * g.Height) + iy) * g.Width) + ix];
                    sum += product;
                    scale += Math.Abs(product);
                }
            }
        }

        return (sum, scale);
    }
}
