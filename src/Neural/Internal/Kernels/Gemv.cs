using System.Runtime.Intrinsics;

namespace Flow.Neural.Internal.Kernels;

/// <summary>
/// y = x·W for one row x and a row-major W [k, n], read in place. For a batch of one or a few rows
/// the blocked GEMM wastes its micro-kernel's rows and packs nothing worth reusing; here each row of
/// W streams once through 8 Vector512 accumulators (128 outputs) per pass.
/// </summary>
internal static unsafe class Gemv
{
    /// <summary>Batch rows up to which a dense layer takes this kernel instead of the blocked GEMM.</summary>
    internal const int MaxRows = 4;

    internal static bool IsSupported => Vector512.IsHardwareAccelerated;

    /// <summary>y[0, n) = x[0, k) · W, W row-major with row stride n; every output sums k in order 0, 1, ….</summary>
    internal static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> w, int k, int n, Span<float> y)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(x.Length, k);
        ArgumentOutOfRangeException.ThrowIfLessThan(w.Length, k * n);
        ArgumentOutOfRangeException.ThrowIfLessThan(y.Length, n);
        fixed (float* px = x)
        fixed (float* pw = w)
        fixed (float* py = y)
        {
            int j = 0;
            for (; j + 128 <= n; j += 128)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                float* row = pw + j;
                for (int p = 0; p < k; p++, row += n)
                {
                    Vector512<float> xv = Vector512.Create(px[p]);
                    a0 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(row), a0);
                    a1 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(row + 16), a1);
                    a2 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(row + 32), a2);
                    a3 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(row + 48), a3);
                    a4 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(row + 64), a4);
                    a5 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(row + 80), a5);
                    a6 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(row + 96), a6);
                    a7 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(row + 112), a7);
                }

                a0.Store(py + j);
                a1.Store(py + j + 16);
                a2.Store(py + j + 32);
                a3.Store(py + j + 48);
                a4.Store(py + j + 64);
                a5.Store(py + j + 80);
                a6.Store(py + j + 96);
                a7.Store(py + j + 112);
            }

            for (; j + 16 <= n; j += 16)
            {
                Vector512<float> a = default;
                float* row = pw + j;
                for (int p = 0; p < k; p++, row += n)
                {
                    a = Vector512.FusedMultiplyAdd(Vector512.Create(px[p]), Vector512.Load(row), a);
                }

                a.Store(py + j);
            }

            // The last n mod 16 columns (all of a narrow output such as 10 classes): k outermost, so the
            // columns' multiply-add chains are independent instead of one latency-bound chain at a time.
            if (j < n)
            {
                for (int c = j; c < n; c++)
                {
                    py[c] = 0f;
                }

                float* row = pw;
                for (int p = 0; p < k; p++, row += n)
                {
                    float xp = px[p];
                    for (int c = j; c < n; c++)
                    {
                        py[c] = MathF.FusedMultiplyAdd(xp, row[c], py[c]);
                    }
                }
            }
        }
    }
}
