using Flow.Neural;

namespace Flow.Apps.SpeechRec;

/// <summary>
/// The trained keyword network (a Flow.Neural 1-D conv net over log-mel features) with its labels. Saved
/// as <c>NAME.model</c> (Flow.Neural model file) next to <c>NAME.labels</c> (one word per line).
/// Not thread-safe: one instance per worker.
/// </summary>
public sealed class KeywordModel
{
    private readonly KeywordFeatures _features = new();
    private readonly float[] _input = new float[KeywordFeatures.Length];

    internal KeywordModel(Sequential network, IReadOnlyList<string> labels)
    {
        Network = network;
        Labels = labels;
    }

    /// <summary>The labels, in class-index order.</summary>
    public IReadOnlyList<string> Labels { get; }

    internal Sequential Network { get; }

    /// <summary>Builds the untrained network for <paramref name="classes"/> classes.</summary>
    internal static Sequential CreateNetwork(int classes, int seed)
    {
        // [batch, 40 bands, 98 frames] → 3 strided 1-D convolutions over time → dense.
        return new Sequential(
            Layers.Conv1D(KeywordFeatures.Bands, 48, kernelSize: 5, stride: 2, padding: 2, seed: seed),
            Layers.Relu(),
            Layers.Conv1D(48, 64, kernelSize: 5, stride: 2, padding: 2, seed: seed + 1),
            Layers.Relu(),
            Layers.Conv1D(64, 64, kernelSize: 3, stride: 2, padding: 1, seed: seed + 2),
            Layers.Relu(),
            Layers.Flatten(),
            Layers.Dropout(0.2f, seed: seed + 3),
            Layers.Dense(64 * 13, 64, seed: seed + 4),
            Layers.Relu(),
            Layers.Dense(64, classes, seed: seed + 5, init: WeightInit.Xavier));
    }

    /// <summary>Loads a model written by <see cref="Save"/>.</summary>
    /// <param name="path">The <c>.model</c> file; the labels are read from the same name with <c>.labels</c>.</param>
    /// <returns>The model.</returns>
    /// <exception cref="FileNotFoundException">The model or labels file is missing.</exception>
    /// <exception cref="ModelFormatException">The model file is damaged.</exception>
    public static KeywordModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string labelsPath = Path.ChangeExtension(path, ".labels");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"keyword model '{path}' not found (run 'flow speech train-keywords')", path);
        }

        if (!File.Exists(labelsPath))
        {
            throw new FileNotFoundException($"keyword labels '{labelsPath}' not found next to the model (run 'flow speech train-keywords')", labelsPath);
        }

        string[] labels = File.ReadAllLines(labelsPath).Where(l => l.Length > 0).ToArray();
        return new KeywordModel(ModelFile.Load(path), labels);
    }

    /// <summary>Saves the network and its labels.</summary>
    /// <param name="path">The <c>.model</c> file to write; <c>.labels</c> goes next to it.</param>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        ModelFile.Save(Network, path);
        File.WriteAllLines(Path.ChangeExtension(path, ".labels"), Labels);
    }

    /// <summary>Classifies a short utterance.</summary>
    /// <param name="samples">16 kHz mono samples (the loudest 1 s is used).</param>
    /// <returns>The most probable label and its probability.</returns>
    public (string Label, float Probability) Classify(ReadOnlySpan<float> samples)
    {
        _features.Compute(KeywordFeatures.Window(samples), _input);
        float[] p = Probabilities(Network.Forward(new Tensor(_input, 1, KeywordFeatures.Bands, KeywordFeatures.Frames)).Data);
        int best = 0;
        for (int i = 1; i < p.Length; i++)
        {
            if (p[i] > p[best])
            {
                best = i;
            }
        }

        return (Labels[best], p[best]);
    }

    internal static float[] Probabilities(ReadOnlySpan<float> logits)
    {
        var p = new float[logits.Length];
        float max = float.NegativeInfinity;
        foreach (float v in logits)
        {
            max = Math.Max(max, v);
        }

        float sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = MathF.Exp(logits[i] - max);
            sum += p[i];
        }

        for (int i = 0; i < p.Length; i++)
        {
            p[i] /= sum;
        }

        return p;
    }
}
