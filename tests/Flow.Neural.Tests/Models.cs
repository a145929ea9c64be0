namespace Flow.Neural.Tests;

internal static class Models
{
    /// <summary>A small CNN over [batch, 1, 8, 8] with 4 classes.</summary>
    internal static Sequential SmallCnn(int seed = 1) => new(
        Layers.Conv2D(1, 4, 3, padding: 1, seed: seed),
        Layers.Relu(),
        Layers.MaxPool2D(2),
        Layers.Conv2D(4, 6, 3, seed: seed + 1),
        Layers.Gelu(),
        Layers.Flatten(),
        Layers.Dense(6 * 2 * 2, 16, seed: seed + 2),
        Layers.Tanh(),
        Layers.Dense(16, 4, seed: seed + 3, init: WeightInit.Xavier));

    internal static Sequential SmallMlp(int seed = 1) => new(
        Layers.Dense(12, 32, seed: seed),
        Layers.Relu(),
        Layers.Dense(32, 16, seed: seed + 1),
        Layers.Sigmoid(),
        Layers.Dense(16, 3, seed: seed + 2));
}
