using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Flow.Neural.Internal.Kernels;

/// <summary>Element-wise activations: TensorPrimitives (SIMD) paths and scalar references.</summary>
internal static class ActivationKernels
{
    /// <summary>√(2/π), the GELU tanh-approximation constant.</summary>
    internal const float GeluC = 0.7978845608028654f;

    /// <summary>The cubic coefficient of the GELU tanh approximation.</summary>
    internal const float GeluA = 0.044715f;

    internal static void Relu(ReadOnlySpan<float> x, Span<float> y, bool simd)
    {
        if (simd)
        {
            TensorPrimitives.Max(x, 0f, y);
            return;
        }

        for (int i = 0; i < x.Length; i++)
        {
            y[i] = x[i] > 0f ? x[i] : 0f;
        }
    }

    internal static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        // A SIMD mask instead of a per-element branch, which mispredicts on half the activations.
        int i = 0;
        for (; i + Vector256<float>.Count <= x.Length; i += Vector256<float>.Count)
        {
            Vector256<float> mask = Vector256.GreaterThan(Vector256.Create(x.Slice(i, Vector256<float>.Count)), Vector256<float>.Zero);
            (mask & Vector256.Create(dy.Slice(i, Vector256<float>.Count))).CopyTo(dx.Slice(i, Vector256<float>.Count));
        }

        for (; i < x.Length; i++)
        {
            dx[i] = x[i] > 0f ? dy[i] : 0f;
        }
    }

    internal static void Sigmoid(ReadOnlySpan<float> x, Span<float> y, bool simd)
    {
        if (simd)
        {
            TensorPrimitives.Sigmoid(x, y);
            return;
        }

        for (int i = 0; i < x.Length; i++)
        {
            y[i] = 1f / (1f + MathF.Exp(-x[i]));
        }
    }

    /// <summary>dx = dy · y · (1 − y), from the saved output y.</summary>
    internal static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < y.Length; i++)
        {
            dx[i] = dy[i] * y[i] * (1f - y[i]);
        }
    }

    internal static void Tanh(ReadOnlySpan<float> x, Span<float> y, bool simd)
    {
        if (simd)
        {
            TensorPrimitives.Tanh(x, y);
            return;
        }

        for (int i = 0; i < x.Length; i++)
        {
            y[i] = MathF.Tanh(x[i]);
        }
    }

    /// <summary>dx = dy · (1 − y²), from the saved output y.</summary>
    internal static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < y.Length; i++)
        {
            dx[i] = dy[i] * (1f - (y[i] * y[i]));
        }
    }

    /// <summary>GELU (tanh approximation); <paramref name="t"/> receives tanh(c·(x + a·x³)) for the backward pass.</summary>
    internal static void Gelu(ReadOnlySpan<float> x, Span<float> y, Span<float> t, bool simd)
    {
        if (simd)
        {
            // t = c·(x + a·x³) built from SIMD primitives, then one vectorised tanh.
            TensorPrimitives.Multiply(x, x, t);
            TensorPrimitives.Multiply(t, GeluA, t);
            TensorPrimitives.Add(t, 1f, t);
            TensorPrimitives.Multiply(t, x, t);
            TensorPrimitives.Multiply(t, GeluC, t);
            TensorPrimitives.Tanh(t, t);
            TensorPrimitives.Add(t, 1f, y);
            TensorPrimitives.Multiply(y, x, y);
            TensorPrimitives.Multiply(y, 0.5f, y);
            return;
        }

        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            float th = MathF.Tanh(GeluC * (v + (GeluA * v * v * v)));
            t[i] = th;
            y[i] = 0.5f * v * (1f + th);
        }
    }

    internal static void GeluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            float th = t[i];
            float inner = GeluC * (1f + (3f * GeluA * v * v));
            dx[i] = dy[i] * ((0.5f * (1f + th)) + (0.5f * v * (1f - (th * th)) * inner));
        }
    }
}
