namespace Flow.Neural.Data;

/// <summary>The Fashion-MNIST data set (60,000 training and 10,000 test images, 28×28, 10 classes).</summary>
public static class FashionMnist
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The class names, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Opens the training split (60,000 images).</summary>
    /// <param name="directory">The folder with the four IDX files (gzipped or not).</param>
    /// <returns>The source.</returns>
    /// <exception cref="IdxFormatException">The files are missing or malformed.</exception>
    public static LabeledImageSource Train(string directory = DefaultDirectory) => Open(directory, "train");

    /// <summary>Opens the test split (10,000 images).</summary>
    /// <param name="directory">The folder with the four IDX files (gzipped or not).</param>
    /// <returns>The source.</returns>
    /// <exception cref="IdxFormatException">The files are missing or malformed.</exception>
    public static LabeledImageSource Test(string directory = DefaultDirectory) => Open(directory, "t10k");

    /// <summary>A multilayer perceptron for 28×28 inputs: 784 → 256 → 128 → 10 with ReLU.</summary>
    /// <param name="seed">Initialisation seed.</param>
    /// <returns>The untrained model.</returns>
    public static Sequential CreateMlp(int seed = 1) => new(
        Layers.Flatten(),
        Layers.Dense(784, 256, seed: seed),
        Layers.Relu(),
        Layers.Dense(256, 128, seed: seed + 1),
        Layers.Relu(),
        Layers.Dense(128, 10, seed: seed + 2));

    /// <summary>A small CNN for 28×28 inputs: two 3×3 conv + ReLU + 2×2 max-pool blocks (16, 32 channels), then 1568 → 128 → 10.</summary>
    /// <param name="seed">Initialisation seed.</param>
    /// <returns>The untrained model.</returns>
    public static Sequential CreateCnn(int seed = 1) => new(
        Layers.Conv2D(1, 16, 3, padding: 1, seed: seed),
        Layers.Relu(),
        Layers.MaxPool2D(2),
        Layers.Conv2D(16, 32, 3, padding: 1, seed: seed + 1),
        Layers.Relu(),
        Layers.MaxPool2D(2),
        Layers.Flatten(),
        Layers.Dense(32 * 7 * 7, 128, seed: seed + 2),
        Layers.Relu(),
        Layers.Dense(128, 10, seed: seed + 3));

    private static LabeledImageSource Open(string directory, string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string images = Find(directory, $"{prefix}-images-idx3-ubyte");
        string labels = Find(directory, $"{prefix}-labels-idx1-ubyte");
        return new LabeledImageSource(images, labels, classes: 10);
    }

    private static string Find(string directory, string name)
    {
        string plain = Path.Combine(directory, name);
        return File.Exists(plain) ? plain : plain + ".gz";
    }
}
