namespace Flow.Neural.Internal.Layers;

/// <summary>Seeded weight initialisation (deterministic for a given seed).</summary>
internal static class Init
{
    internal static void Fill(Span<float> weights, int fanIn, int fanOut, WeightInit init, int seed)
    {
        var random = new Random(seed);
        if (init == WeightInit.Xavier)
        {
            float limit = MathF.Sqrt(6f / (fanIn + fanOut));
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] = (float)(((random.NextDouble() * 2.0) - 1.0) * limit);
            }

            return;
        }

        double std = Math.Sqrt(2.0 / fanIn);
        for (int i = 0; i < weights.Length; i++)
        {
            // Box–Muller; one normal per draw keeps the sequence simple and reproducible.
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            weights[i] = (float)(std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
        }
    }
}
