using System.Numerics;

namespace Flow.Neural.Internal.Training;

/// <summary>SGD with heavy-ball momentum.</summary>
internal sealed class SgdOptimizer(LearningRateSchedule schedule, float momentum) : Optimizer(schedule)
{
    private readonly List<float[]> _velocity = [];

    private protected override void Update(int index, Parameter parameter, float learningRate, float gradientScale)
    {
        while (_velocity.Count <= index)
        {
            _velocity.Add([]);
        }

        float[] w = parameter.Value.Data;
        float[] g = parameter.Gradient.Data;
        if (_velocity[index].Length != w.Length)
        {
            _velocity[index] = new float[w.Length];
        }

        float[] v = _velocity[index];
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vMomentum = new Vector<float>(momentum);
            var vScale = new Vector<float>(gradientScale);
            var vRate = new Vector<float>(learningRate);
            for (; i + Vector<float>.Count <= w.Length; i += Vector<float>.Count)
            {
                Vector<float> vi = (vMomentum * new Vector<float>(v, i)) + (new Vector<float>(g, i) * vScale);
                vi.CopyTo(v, i);
                (new Vector<float>(w, i) - (vRate * vi)).CopyTo(w, i);
            }
        }

        for (; i < w.Length; i++)
        {
            v[i] = (momentum * v[i]) + (g[i] * gradientScale);
            w[i] -= learningRate * v[i];
        }
    }
}
