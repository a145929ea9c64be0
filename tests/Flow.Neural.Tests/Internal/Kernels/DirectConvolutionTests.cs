using Flow.Neural.Internal.Kernels;

namespace Flow.Neural.Tests.Internal.Kernels;

public class DirectConvolutionTests
{
    public static TheoryData<int, int, int, int, int, int, bool> Geometries => new()
    {
        // channels, height, width, output channels, kernel, padding, ReLU
        { 1, 28, 28, 16, 3, 1, false },
        { 16, 14, 14, 32, 3, 1, true },
        { 3, 7, 9, 5, 3, 1, false },
        { 2, 5, 6, 9, 2, 0, true },
        { 1, 4, 4, 3, 5, 2, false },
        { 3, 11, 5, 17, 1, 0, false },
        { 2, 1, 1, 8, 3, 1, true },
        { 4, 33, 3, 7, 3, 0, false },
    };

    [Fact]
    public void Supports_StrideTwo_False()
    {
        Assert.False(DirectConvolution.Supports(new ConvGeometry(1, 8, 8, 3, 3, 2, 2, 1, 1)));
    }

    [SkippableTheory]
    [MemberData(nameof(Geometries))]
    public void ComputeAndWrite_EqualsScalarReferenceWithin1e5Relative(int channels, int height, int width, int outChannels, int kernel, int padding, bool relu)
    {
        var g = new ConvGeometry(channels, height, width, kernel, kernel, 1, 1, padding, padding);
        Skip.IfNot(System.Runtime.Intrinsics.X86.Avx512F.IsSupported, "the direct convolution kernel needs AVX-512 (Avx512F intrinsics), which this CPU lacks");
        Assert.True(DirectConvolution.Supports(g));

        float[] x = TestData.Random(1, channels, height, width).Data;
        float[] w = TestData.Random(2, outChannels, g.ColRows).Data;
        float[] bias = TestData.Random(3, outChannels).Data;
        int plane = g.OutH * g.OutW;
        var output = new float[outChannels * plane];
        Array.Fill(output, float.NaN);

        float[] packed = DirectConvolution.PackWeights(w, outChannels, g.ColRows, reuse: null);
        int[] offsets = DirectConvolution.TapOffsets(g, reuse: null);
        var padded = new float[DirectConvolution.PaddedInputLength(g)];
        Array.Fill(padded, float.NaN);
        DirectConvolution.PadInput(x, g, padded);
        var result = new float[DirectConvolution.ResultLength(g)];
        for (int block = 0; block * DirectConvolution.ChannelBlock < outChannels; block++)
        {
            DirectConvolution.ComputeBlock(padded, packed, offsets, bias, outChannels, block, g, result, relu);
            DirectConvolution.WriteBlock(result, outChannels, block, g, output);
        }

        for (int oc = 0; oc < outChannels; oc++)
        {
            for (int oy = 0; oy < g.OutH; oy++)
            {
                for (int ox = 0; ox < g.OutW; ox++)
                {
                    (double expected, double scale) = Reference(x, w, bias[oc], g, oc, oy, ox);
                    if (relu)
                    {
                        expected = Math.Max(expected, 0);
                    }

                    float actual = output[(oc * plane) + (oy * g.OutW) + ox];
                    Assert.True(Math.Abs(actual - expected) <= 1e-5 * Math.Max(scale, 1e-3), $"y[{oc},{oy},{ox}]: direct {actual} reference {expected}");
                }
            }
        }
    }

    /// <summary>The output at (oc, oy, ox) by the definition, and Σ|w||x| (the scale of its rounding error).</summary>
    private static (double Value, double Scale) Reference(float[] x, float[] w, float bias, ConvGeometry g, int oc, int oy, int ox)
    {
        double sum = bias, scale = Math.Abs(bias);
        for (int c = 0; c < g.Channels; c++)
        {
            for (int ky = 0; ky < g.KernelH; ky++)
            {
                for (int kx = 0; kx < g.KernelW; kx++)
                {
                    int iy = oy + ky - g.PadH, ix = ox + kx - g.PadW;
                    if (iy < 0 || iy >= g.Height || ix < 0 || ix >= g.Width)
                    {
                        continue;
                    }

                    double product = (double)w[(oc * g.ColRows) + (((c * g.KernelH) + ky) * g.KernelW) + kx] * x[(((c * g.Height) + iy) * g.Width) + ix];
                    sum += product;
                    scale += Math.Abs(product);
                }
            }
        }

        return (sum, scale);
    }
}
