using Flow.Neural.Internal.Kernels;

namespace Flow.Neural.Tests.Internal.Kernels;

public class GemvTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 5)]
    [InlineData(33, 16)]
    [InlineData(100, 17)]
    [InlineData(1568, 128)]
    [InlineData(129, 200)]
    [InlineData(3, 300)]
    public void Multiply_EqualsScalarGemmWithin1e5Relative(int k, int n)
    {
        // Runs whatever the CPU: without AVX-512, .NET emulates Vector512 in software, so the kernel's arithmetic is still checked.
        float[] x = TestData.Random(1, k).Data;
        float[] w = TestData.Random(2, k * n).Data;
        var simd = new float[n];
        Array.Fill(simd, float.NaN);
        var scalar = new float[n];

        Gemv.Multiply(x, w, k, n, simd);
        Gemm.Multiply(new MatrixRef(x, 0, k, false), new MatrixRef(w, 0, n, false), scalar, 0, n, 1, n, k, accumulate: false, GemmPartition.Columns, new ComputeOptions { UseSimd = false });

        for (int j = 0; j < n; j++)
        {
            double scale = 0;
            for (int p = 0; p < k; p++)
            {
                scale += Math.Abs(x[p] * w[(p * n) + j]);
            }

            Assert.True(Math.Abs(simd[j] - scalar[j]) <= 1e-5 * Math.Max(scale, 1e-3), $"y[{j}]: gemv {simd[j]} scalar {scalar[j]}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void DenseForward_SmallBatch_EqualsScalarWithin1e5Relative(int batch)
    {
        // Batches up to Gemv.MaxRows take the row-by-row kernel, larger ones the blocked GEMM.
        Sequential simd = new(Neural.Layers.Dense(37, 130, seed: 2));
        Sequential scalar = simd.Clone();
        scalar.Options = new ComputeOptions { UseSimd = false };
        Tensor x = TestData.Random(3, batch, 37);

        float[] expected = scalar.Forward(x).Data.ToArray();
        float[] actual = simd.Forward(x).Data.ToArray();

        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5f * Math.Max(1f, Math.Abs(expected[i])), $"y[{i}]: simd {actual[i]} scalar {expected[i]}");
        }
    }
}
