namespace Flow.Neural.Tests;

internal static class TestData
{
    internal static Tensor Random(int seed, params int[] shape)
    {
        var t = new Tensor(shape);
        var r = new Random(seed);
        for (int i = 0; i < t.Length; i++)
        {
            t.Data[i] = (float)((r.NextDouble() * 2.0) - 1.0);
        }

        return t;
    }

    internal static Tensor OneHot(int seed, int batch, int classes)
    {
        var t = new Tensor(batch, classes);
        var r = new Random(seed);
        for (int n = 0; n < batch; n++)
        {
            t[n, r.Next(classes)] = 1f;
        }

        return t;
    }
}
