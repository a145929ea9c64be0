using System.Runtime.Intrinsics;
using Flow.Neural.Internal.Kernels;

namespace Flow.Neural.Benchmarks;

/// <summary>The measured operations, shared by the BenchmarkDotNet classes and the one-run ratio report.</summary>
internal static class Workloads
{
    /// <summary>Independent FMA chains per core: enough to cover FMA latency × throughput.</summary>
    internal const int FmaChains = 12;

    /// <summary>Runs a tight Vector512 (or Vector256) FMA loop; returns the FLOPs done.</summary>
    internal static long FmaLoop(long iterations, float[] sink)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            Vector512<float> m = Vector512.Create(0.999999f), c = Vector512.Create(1e-7f);
            for (long i = 0; i < iterations; i++)
            {
                a0 = Vector512.FusedMultiplyAdd(a0, m, c);
                a1 = Vector512.FusedMultiplyAdd(a1, m, c);
                a2 = Vector512.FusedMultiplyAdd(a2, m, c);
                a3 = Vector512.FusedMultiplyAdd(a3, m, c);
                a4 = Vector512.FusedMultiplyAdd(a4, m, c);
                a5 = Vector512.FusedMultiplyAdd(a5, m, c);
                a6 = Vector512.FusedMultiplyAdd(a6, m, c);
                a7 = Vector512.FusedMultiplyAdd(a7, m, c);
                a8 = Vector512.FusedMultiplyAdd(a8, m, c);
                a9 = Vector512.FusedMultiplyAdd(a9, m, c);
                a10 = Vector512.FusedMultiplyAdd(a10, m, c);
                a11 = Vector512.FusedMultiplyAdd(a11, m, c);
            }

            sink[0] = Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
            return iterations * FmaChains * 16 * 2;
        }

        Vector256<float> b0 = Vector256.Create(1f), b1 = b0, b2 = b0, b3 = b0, b4 = b0, b5 = b0, b6 = b0, b7 = b0, b8 = b0, b9 = b0, b10 = b0, b11 = b0;
        Vector256<float> mm = Vector256.Create(0.999999f), cc = Vector256.Create(1e-7f);
        for (long i = 0; i < iterations; i++)
        {
            b0 = Vector256.FusedMultiplyAdd(b0, mm, cc);
            b1 = Vector256.FusedMultiplyAdd(b1, mm, cc);
            b2 = Vector256.FusedMultiplyAdd(b2, mm, cc);
            b3 = Vector256.FusedMultiplyAdd(b3, mm, cc);
            b4 = Vector256.FusedMultiplyAdd(b4, mm, cc);
            b5 = Vector256.FusedMultiplyAdd(b5, mm, cc);
            b6 = Vector256.FusedMultiplyAdd(b6, mm, cc);
            b7 = Vector256.FusedMultiplyAdd(b7, mm, cc);
            b8 = Vector256.FusedMultiplyAdd(b8, mm, cc);
            b9 = Vector256.FusedMultiplyAdd(b9, mm, cc);
            b10 = Vector256.FusedMultiplyAdd(b10, mm, cc);
            b11 = Vector256.FusedMultiplyAdd(b11, mm, cc);
        }

        sink[0] = Vector256.Sum(b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8 + b9 + b10 + b11);
        return iterations * FmaChains * 8 * 2;
    }

    /// <summary>FMA loop on <paramref name="cores"/> threads at once; returns total FLOPs.</summary>
    internal static long FmaLoopParallel(long iterations, int cores)
    {
        long total = 0;
        Parallel.For(0, cores, new ParallelOptions { MaxDegreeOfParallelism = cores }, _ =>
        {
            long f = FmaLoop(iterations, new float[1]);
            Interlocked.Add(ref total, f);
        });
        return total;
    }

    internal sealed class GemmCase
    {
        internal GemmCase(int n)
        {
            N = n;
            A = Random(n * n, 1);
            B = Random(n * n, 2);
            C = new float[n * n];
        }

        internal int N { get; }

        internal float[] A { get; }

        internal float[] B { get; }

        internal float[] C { get; }

        internal double Flops => 2.0 * N * N * N;

        internal void Run(ComputeOptions options) => Gemm.Multiply(
            new MatrixRef(A, 0, N, false), new MatrixRef(B, 0, N, false), C, 0, N, N, N, N, accumulate: false, GemmPartition.Columns, options);
    }

    internal static float[] Random(int length, int seed)
    {
        var r = new Random(seed);
        var data = new float[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (float)((r.NextDouble() * 2) - 1);
        }

        return data;
    }

    internal static float ScalarDot(float[] a, float[] b)
    {
        float s = 0f;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    internal static Tensor RandomTensor(int seed, params int[] shape)
    {
        var t = new Tensor(shape);
        Random(t.Length, seed).CopyTo(t.Data, 0);
        return t;
    }

    internal static Tensor OneHot(int batch, int classes, int seed)
    {
        var t = new Tensor(batch, classes);
        var r = new Random(seed);
        for (int n = 0; n < batch; n++)
        {
            t[n, r.Next(classes)] = 1f;
        }

        return t;
    }

    /// <summary>
    /// An MLP whose two pipeline stages cost the same in every phase of a training step, for the bubble
    /// measurement (GPipe's formula assumes equal stages). Stage 0 never computes its first layer's input
    /// gradient, so that layer is made cheap (784→128→1024): then stage 0 (784→128→1024→1024→1024) and
    /// stage 1 (1024→1024→1024→192→10) each have about 2.3 M multiply-adds per example in the forward pass,
    /// the input-gradient pass (stage 0: 2.2 M) and the weight-gradient pass.
    /// </summary>
    internal static Sequential EvenPipelineMlp() => Mlp(784, 128, 1024, 1024, 1024, 1024, 1024, 192, 10);

    /// <summary>A deep MLP whose two halves cost about the same in the forward pass (not in the backward: see <see cref="EvenPipelineMlp"/>).</summary>
    internal static Sequential BalancedMlp() => Mlp(784, 1024, 1024, 1024, 784, 10);

    /// <summary>Flatten, then Dense layers through <paramref name="widths"/> (seeds 1, 2, …) with a ReLU between each two.</summary>
    private static Sequential Mlp(params int[] widths)
    {
        var layers = new List<Layer> { Layers.Flatten() };
        for (int i = 0; i + 1 < widths.Length; i++)
        {
            if (i > 0)
            {
                layers.Add(Layers.Relu());
            }

            layers.Add(Layers.Dense(widths[i], widths[i + 1], seed: i + 1));
        }

        return new Sequential([.. layers]);
    }
}
