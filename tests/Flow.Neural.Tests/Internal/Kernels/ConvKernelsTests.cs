using Flow.Neural.Internal.Kernels;

namespace Flow.Neural.Tests.Internal.Kernels;

public class ConvKernelsTests
{
    public static TheoryData<int, int, int, int, int, int> Geometries => new()
    {
        // channels, height, width, kernel, stride, padding
        { 1, 28, 28, 3, 1, 1 },
        { 3, 7, 9, 3, 1, 1 },
        { 2, 9, 7, 3, 2, 1 },
        { 2, 5, 6, 2, 2, 0 },
        { 1, 4, 4, 5, 1, 2 },
        { 3, 11, 5, 1, 3, 0 },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Im2Col_Sample_EqualsScalarReference(int channels, int height, int width, int kernel, int stride, int padding)
    {
        var g = new ConvGeometry(channels, height, width, kernel, kernel, stride, stride, padding, padding);
        int plane = g.OutH * g.OutW;
        float[] x = TestData.Random(1, 2, channels, height, width).Data;
        int sampleSize = channels * height * width;
        float[] col = new float[g.ColRows * plane];
        Array.Fill(col, float.NaN);

        ConvKernels.Im2Col(x, sampleSize, g, col, 0, plane);

        Assert.Equal(Reference(x, sampleSize, g), col);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Im2Col_OutputRowRange_WritesExactlyThoseColumns(int channels, int height, int width, int kernel, int stride, int padding)
    {
        var g = new ConvGeometry(channels, height, width, kernel, kernel, stride, stride, padding, padding);
        int plane = g.OutH * g.OutW;
        float[] x = TestData.Random(2, channels, height, width).Data;
        float[] expected = Reference(x, 0, g);
        int oy0 = g.OutH / 3, oy1 = Math.Max(oy0 + 1, (2 * g.OutH) / 3 + 1);
        float[] col = new float[g.ColRows * plane];
        Array.Fill(col, float.NaN);

        ConvKernels.Im2Col(x, 0, g, col, 0, plane, oy0, oy1);

        for (int row = 0; row < g.ColRows; row++)
        {
            for (int j = 0; j < plane; j++)
            {
                bool inside = j >= oy0 * g.OutW && j < oy1 * g.OutW;
                float actual = col[(row * plane) + j];
                if (inside)
                {
                    Assert.Equal(expected[(row * plane) + j], actual);
                }
                else
                {
                    Assert.True(float.IsNaN(actual), $"row {row} column {j} outside [{oy0}, {oy1}) was written");
                }
            }
        }
    }

    [Theory]
    [InlineData(28, 28)]
    [InlineData(14, 14)]
    [InlineData(7, 18)]
    [InlineData(5, 33)]
    [InlineData(2, 2)]
    [InlineData(7, 7)]
    [InlineData(6, 6)]
    [InlineData(3, 5)]
    [InlineData(15, 15)]
    [InlineData(4, 30)]
    public void MaxPool2x2Values_EqualsArgMaxPath(int height, int width)
    {
        var g = new ConvGeometry(1, height, width, 2, 2, 2, 2, 0, 0);
        const int planes = 3;
        float[] x = TestData.Random(11, planes, height, width).Data;
        float[] expected = new float[planes * g.OutH * g.OutW];
        ConvKernels.MaxPool(x, g, expected, new int[expected.Length], 0, planes);
        float[] actual = new float[expected.Length];

        ConvKernels.MaxPool2x2Values(x, height, width, actual, planes);

        Assert.Equal(expected, actual);
    }

    /// <summary>The definition: col[(c, ky, kx), (oy, ox)] = x[c, oy·s − p + ky, ox·s − p + kx], zero outside.</summary>
    private static float[] Reference(float[] x, int offset, ConvGeometry g)
    {
        int plane = g.OutH * g.OutW;
        float[] col = new float[g.ColRows * plane];
        for (int c = 0; c < g.Channels; c++)
        {
            for (int ky = 0; ky < g.KernelH; ky++)
            {
                for (int kx = 0; kx < g.KernelW; kx++)
                {
                    int row = (((c * g.KernelH) + ky) * g.KernelW) + kx;
                    for (int oy = 0; oy < g.OutH; oy++)
                    {
                        for (int ox = 0; ox < g.OutW; ox++)
                        {
                            int iy = (oy * g.StrideH) - g.PadH + ky;
                            int ix = (ox * g.StrideW) - g.PadW + kx;
                            bool inside = iy >= 0 && iy < g.Height && ix >= 0 && ix < g.Width;
                            col[(row * plane) + (oy * g.OutW) + ox] = inside ? x[offset + (((c * g.Height) + iy) * g.Width) + ix] : 0f;
                        }
                    }
                }
            }
        }

        return col;
    }
}
