namespace Flow.Neural.Internal.Training;

/// <summary>Adam with bias-corrected moments.</summary>
internal sealed class AdamOptimizer(LearningRateSchedule schedule, float beta1, float beta2, float epsilon) : Optimizer(schedule)
{
    private readonly List<(float[] M, float[] V)> _moments = [];

    private protected override void Update(int index, Parameter parameter, float learningRate, float gradientScale)
    {
        while (_moments.Count <= index)
        {
            _moments.Add(([], []));
        }

        float[] w = parameter.Value.Data;
        float[] g = parameter.Gradient.Data;
        if (_moments[index].M.Length != w.Length)
        {
            _moments[index] = (new float[w.Length], new float[w.Length]);
        }

        (float[] m, float[] v) = _moments[index];
        int t = StepCount + 1;
        float correction1 = 1f - MathF.Pow(beta1, t);
        float correction2 = 1f - MathF.Pow(beta2, t);
        float stepSize = learningRate / correction1;
        for (int i = 0; i < w.Length; i++)
        {
            float gi = g[i] * gradientScale;
            m[i] = (beta1 * m[i]) + ((1f - beta1) * gi);
            v[i] = (beta2 * v[i]) + ((1f - beta2) * gi * gi);
            w[i] -= stepSize * m[i] / (MathF.Sqrt(v[i] / correction2) + epsilon);
        }
    }
}
