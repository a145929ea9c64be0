using System.Numerics;

namespace Flow.Neural.Internal.Training;

/// <summary>SGD with heavy-ball momentum.</summary>
internal sealed class SgdOptimizer(LearningRateSchedule schedule, float momentum) : Optimizer(schedule)
{
    private readonly List<float[]> _velocity = [];

    private protected override void EnsureState(int index, int length)
    {
        while (_velocity.Count <= index)
        {
            _velocity.Add([]);
        }

        if (_velocity[index].Length != length)
        {
            _velocity[index] = new float[length];
        }
    }

    internal override void UpdateRange(int index, float[] values, float[] gradient, int start, int count, float learningRate, float gradientScale)
    {
        float[] w = values;
        float[] g = gradient;
        float[] v = _velocity[index];
        int end = start + count;
        int i = start;
        if (Vector.IsHardwareAccelerated)
        {
            var vMomentum = new Vector<float>(momentum);
            var vScale = new Vector<float>(gradientScale);
            var vRate = new Vector<float>(learningRate);
            for (; i + Vector<float>.Count <= end; i += Vector<float>.Count)
            {
                Vector<float> vi = (vMomentum * new Vector<float>(v, i)) + (new Vector<float>(g, i) * vScale);
                vi.CopyTo(v, i);
                (new Vector<float>(w, i) - (vRate * vi)).CopyTo(w, i);
            }
        }

        for (; i < end; i++)
        {
            v[i] = (momentum * v[i]) + (g[i] * gradientScale);
            w[i] -= learningRate * v[i];
        }
    }
}
