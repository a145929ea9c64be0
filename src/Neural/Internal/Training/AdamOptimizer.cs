using System.Numerics;

namespace Flow.Neural.Internal.Training;

/// <summary>Adam with bias-corrected moments.</summary>
internal sealed class AdamOptimizer(LearningRateSchedule schedule, float beta1, float beta2, float epsilon) : Optimizer(schedule)
{
    private readonly List<(float[] M, float[] V)> _moments = [];

    private protected override void EnsureState(int index, int length)
    {
        while (_moments.Count <= index)
        {
            _moments.Add(([], []));
        }

        if (_moments[index].M.Length != length)
        {
            _moments[index] = (new float[length], new float[length]);
        }
    }

    internal override void UpdateRange(int index, float[] values, float[] gradient, int start, int count, float learningRate, float gradientScale)
    {
        float[] w = values;
        float[] g = gradient;
        (float[] m, float[] v) = _moments[index];
        int end = start + count;
        int t = StepCount + 1;
        float correction1 = 1f - MathF.Pow(beta1, t);
        float correction2 = 1f - MathF.Pow(beta2, t);
        float stepSize = learningRate / correction1;

        // Element-wise, so vector lanes do exactly the scalar arithmetic (same results, fewer instructions).
        int i = start;
        if (Vector.IsHardwareAccelerated)
        {
            var vb1 = new Vector<float>(beta1);
            var vb1c = new Vector<float>(1f - beta1);
            var vb2 = new Vector<float>(beta2);
            var vb2c = new Vector<float>(1f - beta2);
            var vScale = new Vector<float>(gradientScale);
            var vStep = new Vector<float>(stepSize);
            var vCorrection2 = new Vector<float>(correction2);
            var vEps = new Vector<float>(epsilon);
            for (; i + Vector<float>.Count <= end; i += Vector<float>.Count)
            {
                Vector<float> gi = new Vector<float>(g, i) * vScale;
                Vector<float> mi = (vb1 * new Vector<float>(m, i)) + (vb1c * gi);
                Vector<float> vi = (vb2 * new Vector<float>(v, i)) + (vb2c * gi * gi);
                mi.CopyTo(m, i);
                vi.CopyTo(v, i);
                (new Vector<float>(w, i) - (vStep * mi / (Vector.SquareRoot(vi / vCorrection2) + vEps))).CopyTo(w, i);
            }
        }

        for (; i < end; i++)
        {
            float gi = g[i] * gradientScale;
            m[i] = (beta1 * m[i]) + ((1f - beta1) * gi);
            v[i] = (beta2 * v[i]) + ((1f - beta2) * gi * gi);
            w[i] -= stepSize * m[i] / (MathF.Sqrt(v[i] / correction2) + epsilon);
        }
    }
}
