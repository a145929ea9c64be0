using Flow.Neural.Internal.Layers;

namespace Flow.Neural;

/// <summary>Factory methods for the layers a <see cref="Sequential"/> model is built from.</summary>
public static class Layers
{
    /// <summary>A fully connected layer y = x·W + b over inputs of shape [batch, <paramref name="inputs"/>].</summary>
    /// <param name="inputs">Input features.</param>
    /// <param name="outputs">Output neurons.</param>
    /// <param name="seed">Seed of the weight initialisation; the same seed gives the same weights.</param>
    /// <param name="init">Weight initialisation scheme.</param>
    /// <returns>The layer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is zero or negative.</exception>
    public static Layer Dense(int inputs, int outputs, int seed = 0, WeightInit init = WeightInit.He)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        return new DenseLayer(inputs, outputs, init, seed);
    }

    /// <summary>A 2-D convolution over [batch, <paramref name="inChannels"/>, height, width] with a square kernel.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels (filters).</param>
    /// <param name="kernelSize">Kernel height and width.</param>
    /// <param name="stride">Step between windows.</param>
    /// <param name="padding">Zero padding on every side.</param>
    /// <param name="seed">Seed of the weight initialisation.</param>
    /// <param name="init">Weight initialisation scheme.</param>
    /// <returns>The layer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size or the stride is zero or negative, or the padding is negative.</exception>
    public static Layer Conv2D(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int seed = 0, WeightInit init = WeightInit.He)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        return new Conv2DLayer(inChannels, outChannels, kernelSize, kernelSize, stride, stride, padding, padding, init, seed);
    }

    /// <summary>A 1-D convolution over [batch, <paramref name="inChannels"/>, length].</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels (filters).</param>
    /// <param name="kernelSize">Kernel length.</param>
    /// <param name="stride">Step between windows.</param>
    /// <param name="padding">Zero padding at both ends.</param>
    /// <param name="seed">Seed of the weight initialisation.</param>
    /// <param name="init">Weight initialisation scheme.</param>
    /// <returns>The layer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size or the stride is zero or negative, or the padding is negative.</exception>
    public static Layer Conv1D(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int seed = 0, WeightInit init = WeightInit.He)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        return new Conv1DLayer(inChannels, outChannels, kernelSize, stride, padding, init, seed);
    }

    /// <summary>Max pooling over [batch, channels, height, width] with a square window.</summary>
    /// <param name="kernelSize">Window height and width.</param>
    /// <param name="stride">Step between windows; defaults to the window size (non-overlapping).</param>
    /// <returns>The layer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The window or stride is zero or negative.</exception>
    public static Layer MaxPool2D(int kernelSize, int? stride = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        int s = stride ?? kernelSize;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(s, nameof(stride));
        return new MaxPool2DLayer(kernelSize, s);
    }

    /// <summary>Flattens [batch, …] to [batch, features] without copying.</summary>
    /// <returns>The layer.</returns>
    public static Layer Flatten() => new FlattenLayer();

    /// <summary>Inverted dropout, active only in training passes.</summary>
    /// <param name="rate">Probability of zeroing an element, in [0, 1).</param>
    /// <param name="seed">Seed of the dropout masks.</param>
    /// <returns>The layer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The rate is outside [0, 1).</exception>
    public static Layer Dropout(float rate, int seed = 0)
    {
        if (!(rate >= 0f && rate < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "dropout rate must be in [0, 1)");
        }

        return new DropoutLayer(rate, seed);
    }

    /// <summary>Rectified linear unit, max(x, 0).</summary>
    /// <returns>The layer.</returns>
    public static Layer Relu() => new ActivationLayer(LayerKind.Relu);

    /// <summary>Logistic sigmoid, 1 / (1 + e^−x).</summary>
    /// <returns>The layer.</returns>
    public static Layer Sigmoid() => new ActivationLayer(LayerKind.Sigmoid);

    /// <summary>Hyperbolic tangent.</summary>
    /// <returns>The layer.</returns>
    public static Layer Tanh() => new ActivationLayer(LayerKind.Tanh);

    /// <summary>Gaussian error linear unit (tanh approximation).</summary>
    /// <returns>The layer.</returns>
    public static Layer Gelu() => new ActivationLayer(LayerKind.Gelu);

    /// <summary>Rebuilds a layer from its kind and configuration (model files).</summary>
    internal static Layer FromConfig(LayerKind kind, int[] config) => kind switch
    {
        LayerKind.Dense => new DenseLayer(config[0], config[1], WeightInit.He, 0),
        LayerKind.Conv2D => new Conv2DLayer(config[0], config[1], config[2], config[3], config[4], config[5], config[6], config[7], WeightInit.He, 0),
        LayerKind.Conv1D => new Conv1DLayer(config[0], config[1], config[2], config[3], config[4], WeightInit.He, 0),
        LayerKind.MaxPool2D => new MaxPool2DLayer(config[0], config[1]),
        LayerKind.Flatten => new FlattenLayer(),
        LayerKind.Dropout => new DropoutLayer(BitConverter.Int32BitsToSingle(config[0]), config[1]),
        LayerKind.Relu or LayerKind.Sigmoid or LayerKind.Tanh or LayerKind.Gelu => new ActivationLayer(kind),
        _ => throw new InvalidDataException($"unknown layer kind {(byte)kind}"),
    };
}
