using Flow.Neural.Internal.Kernels;

namespace Flow.Neural.Tests.Internal.Kernels;

public class GemmTests
{
    public static TheoryData<int, int, int, bool, bool> Shapes => new()
    {
        { 1, 1, 1, false, false },
        { 7, 33, 5, false, false },
        { 13, 70, 300, true, false },
        { 64, 130, 257, false, true },
        { 127, 65, 600, true, true },
        { 200, 1100, 40, false, false },
        { 9, 40, 21, false, true },
        { 16, 96, 13, true, true },

        // One row block of A with B packed a panel at a time (rows of B too far apart to read in place).
        { 45, 300, 270, true, false },
        { 45, 300, 270, false, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Multiply_SimdVersusScalar_EqualWithin1e5Relative(int m, int n, int k, bool transA, bool transB)
    {
        Tensor a = TestData.Random(1, m * k);
        Tensor b = TestData.Random(2, k * n);
        var simd = new float[m * n];
        var scalar = new float[m * n];
        var ra = new MatrixRef(a.Data, 0, transA ? m : k, transA);
        var rb = new MatrixRef(b.Data, 0, transB ? k : n, transB);

        Gemm.Multiply(ra, rb, simd, 0, n, m, n, k, accumulate: false, GemmPartition.Columns, new ComputeOptions { UseSimd = true });
        Gemm.Multiply(ra, rb, scalar, 0, n, m, n, k, accumulate: false, GemmPartition.Columns, new ComputeOptions { UseSimd = false });

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                // Relative to Σ|a||b|, the scale of the rounding error of a length-k dot product.
                double scale = 0;
                for (int p = 0; p < k; p++)
                {
                    scale += Math.Abs(ra.At(i, p) * rb.At(p, j));
                }

                Assert.True(Math.Abs(simd[(i * n) + j] - scalar[(i * n) + j]) <= 1e-5 * Math.Max(scale, 1e-3), $"C[{i},{j}]: simd {simd[(i * n) + j]} scalar {scalar[(i * n) + j]}");
            }
        }
    }

    [Fact]
    public void Multiply_Accumulate_AddsToExistingValues()
    {
        Tensor a = TestData.Random(3, 10 * 20);
        Tensor b = TestData.Random(4, 20 * 30);
        var once = new float[300];
        var twice = new float[300];
        var ra = new MatrixRef(a.Data, 0, 20, false);
        var rb = new MatrixRef(b.Data, 0, 30, false);
        var options = new ComputeOptions();

        Gemm.Multiply(ra, rb, once, 0, 30, 10, 30, 20, accumulate: false, GemmPartition.Columns, options);
        Gemm.Multiply(ra, rb, twice, 0, 30, 10, 30, 20, accumulate: false, GemmPartition.Columns, options);
        Gemm.Multiply(ra, rb, twice, 0, 30, 10, 30, 20, accumulate: true, GemmPartition.Columns, options);

        for (int i = 0; i < 300; i++)
        {
            Assert.Equal(2f * once[i], twice[i], 1e-4f);
        }
    }

    [Theory]
    [InlineData(true, 2)]
    [InlineData(true, 3)]
    [InlineData(false, 2)]
    [InlineData(false, 4)]
    public void Multiply_NeuronParallel_BitIdenticalToOneCore(bool splitColumns, int degree)
    {
        GemmPartition partition = splitColumns ? GemmPartition.Columns : GemmPartition.Rows;
        const int m = 150, n = 333, k = 700;
        Tensor a = TestData.Random(5, m * k);
        Tensor b = TestData.Random(6, k * n);
        var one = new float[m * n];
        var many = new float[m * n];
        var ra = new MatrixRef(a.Data, 0, k, false);
        var rb = new MatrixRef(b.Data, 0, n, false);

        Gemm.Multiply(ra, rb, one, 0, n, m, n, k, accumulate: false, partition, new ComputeOptions { DegreeOfParallelism = 1 });
        Gemm.Multiply(ra, rb, many, 0, n, m, n, k, accumulate: false, partition, new ComputeOptions { DegreeOfParallelism = degree });

        Assert.Equal(one, many);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 3)]
    public void Multiply_PrepackedB_BitIdenticalToPackingPerCall(bool transB, int degree)
    {
        // k spans two Kc blocks and n ends in a ragged panel.
        const int m = 21, n = 77, k = 300;
        Tensor a = TestData.Random(7, m * k);
        Tensor b = TestData.Random(8, k * n);
        var rb = new MatrixRef(b.Data, 0, transB ? k : n, transB);
        var ra = new MatrixRef(a.Data, 0, k, false);
        var options = new ComputeOptions { DegreeOfParallelism = degree };
        var perCall = new float[m * n];
        var prepacked = new float[m * n];

        Gemm.Multiply(ra, rb, perCall, 0, n, m, n, k, accumulate: false, GemmPartition.Columns, options);
        Gemm.Multiply(ra, rb, prepacked, 0, n, m, n, k, accumulate: false, GemmPartition.Columns, options, Gemm.PackWhole(rb, k, n));

        Assert.Equal(perCall, prepacked);
    }

    [Theory]
    [InlineData(21, 77, 300, false, 1)]
    [InlineData(21, 77, 300, true, 1)]
    [InlineData(130, 45, 520, false, 2)]
    [InlineData(130, 45, 520, true, 3)]
    [InlineData(64, 112, 288, false, 2)]
    [InlineData(5, 3, 7, false, 1)]
    public void Multiply_PrepackedA_BitIdenticalToPackingPerCall(int m, int n, int k, bool transA, int degree)
    {
        // m > Mc (120) spans two row blocks and k > Kc (256) two k blocks; rows split across cores.
        Tensor a = TestData.Random(9, m * k);
        Tensor b = TestData.Random(10, k * n);
        var ra = new MatrixRef(a.Data, 0, transA ? m : k, transA);
        var rb = new MatrixRef(b.Data, 0, n, false);
        var options = new ComputeOptions { DegreeOfParallelism = degree };
        var perCall = new float[m * n];
        var prepacked = new float[m * n];

        Gemm.Multiply(ra, rb, perCall, 0, n, m, n, k, accumulate: false, GemmPartition.Rows, options);
        Gemm.Multiply(ra, rb, prepacked, 0, n, m, n, k, accumulate: false, GemmPartition.Rows, options, packedA: Gemm.PackWholeA(ra, m, k));

        Assert.Equal(perCall, prepacked);
    }
}
