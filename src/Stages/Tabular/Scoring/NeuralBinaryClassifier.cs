using System.Text.Json;
using Flow.Neural;

namespace Flow.Stages.Tabular.Scoring;

/// <summary>
/// A Flow.Neural network with one sigmoid output, fed standardized features ((x − mean) / std).
/// Each session scores with its own clone of the network (a <see cref="Sequential"/> is not thread-safe).
/// </summary>
public sealed class NeuralBinaryClassifier : IBinaryClassifier
{
    private readonly Sequential _network;
    private readonly float[] _mean;
    private readonly float[] _scale;
    private readonly Lock _cloneLock = new();

    /// <summary>Wraps a trained network and the standardization it was trained with.</summary>
    /// <param name="network">The network: [batch, features] → [batch, 1] probabilities.</param>
    /// <param name="mean">Per-feature mean subtracted before the network.</param>
    /// <param name="std">Per-feature standard deviation divided by (values below 1e-6 count as 1).</param>
    /// <exception cref="ArgumentException">The mean and std differ in length or are empty.</exception>
    public NeuralBinaryClassifier(Sequential network, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0 || mean.Count != std.Count)
        {
            throw new ArgumentException($"mean ({mean.Count}) and std ({std.Count}) must be non-empty and of equal length", nameof(std));
        }

        _network = network;
        _mean = [.. mean];
        _scale = std.Select(s => s < 1e-6f ? 1f : 1f / s).ToArray();
    }

    /// <inheritdoc />
    public string Name => "mlp";

    /// <inheritdoc />
    public int FeatureCount => _mean.Length;

    /// <summary>The per-feature mean.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>The per-feature standard deviation (as given; 1 where it was near zero).</summary>
    public IReadOnlyList<float> Std => _scale.Select(s => 1f / s).ToArray();

    /// <summary>Computes the standardization of a training set.</summary>
    /// <param name="features">The training vectors, all of one length.</param>
    /// <returns>Per-feature mean and standard deviation.</returns>
    public static (float[] Mean, float[] Std) Standardization(IReadOnlyList<float[]> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Count == 0)
        {
            throw new ArgumentException("no feature vectors", nameof(features));
        }

        int n = features[0].Length;
        var sum = new double[n];
        var squares = new double[n];
        foreach (var f in features)
        {
            for (int j = 0; j < n; j++)
            {
                sum[j] += f[j];
                squares[j] += (double)f[j] * f[j];
            }
        }

        var mean = new float[n];
        var std = new float[n];
        for (int j = 0; j < n; j++)
        {
            double m = sum[j] / features.Count;
            mean[j] = (float)m;
            std[j] = (float)Math.Sqrt(Math.Max(0, (squares[j] / features.Count) - (m * m)));
        }

        return (mean, std);
    }

    /// <summary>Writes the standardized form of <paramref name="features"/> into a [count, features] tensor.</summary>
    /// <param name="features">The raw vectors.</param>
    /// <param name="destination">The tensor's data, at least count × <see cref="FeatureCount"/> long.</param>
    public void Standardize(IReadOnlyList<float[]> features, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(features);
        int n = FeatureCount;
        for (int i = 0; i < features.Count; i++)
        {
            var f = features[i];
            if (f.Length != n)
            {
                throw new ArgumentException($"feature vector {i} has {f.Length} values; the model expects {n}", nameof(features));
            }

            var row = destination.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                row[j] = (f[j] - _mean[j]) * _scale[j];
            }
        }
    }

    /// <summary>Saves the network (Flow.Neural model file) and its standardization (<c>path.norm.json</c>).</summary>
    /// <param name="path">The model file.</param>
    public void Save(string path)
    {
        ModelFile.Save(_network, path);
        File.WriteAllText(path + ".norm.json", JsonSerializer.Serialize(new Normalization(_mean, [.. Std])));
    }

    /// <summary>Loads a classifier saved by <see cref="Save"/>.</summary>
    /// <param name="path">The model file.</param>
    /// <returns>The classifier.</returns>
    /// <exception cref="FileNotFoundException">The model or its <c>.norm.json</c> is missing.</exception>
    public static NeuralBinaryClassifier Load(string path)
    {
        string normPath = path + ".norm.json";
        if (!File.Exists(path) || !File.Exists(normPath))
        {
            throw new FileNotFoundException($"neural model '{path}' or its standardization '{normPath}' not found", File.Exists(path) ? normPath : path);
        }

        var norm = JsonSerializer.Deserialize<Normalization>(File.ReadAllText(normPath))
            ?? throw new InvalidDataException($"'{normPath}' is empty");
        return new NeuralBinaryClassifier(ModelFile.Load(path), norm.Mean, norm.Std);
    }

    /// <inheritdoc />
    public IBinaryClassifierSession CreateSession()
    {
        Sequential clone;
        lock (_cloneLock)
        {
            clone = _network.Clone();
        }

        return new Session(this, clone);
    }

    private sealed record Normalization(float[] Mean, float[] Std);

    private sealed class Session(NeuralBinaryClassifier owner, Sequential network) : IBinaryClassifierSession
    {
        private Tensor? _input;

        public void Predict(IReadOnlyList<float[]> features, Span<float> probabilities)
        {
            int count = features.Count;
            if (count == 0)
            {
                return;
            }

            if (probabilities.Length < count)
            {
                throw new ArgumentException($"room for {probabilities.Length} probabilities, {count} needed", nameof(probabilities));
            }

            if (_input is null || _input.Dim(0) != count)
            {
                _input = new Tensor(count, owner.FeatureCount);
            }

            owner.Standardize(features, _input.Span);
            var output = network.Forward(_input);
            output.Span[..count].CopyTo(probabilities);
        }

        public void Dispose()
        {
        }
    }
}
