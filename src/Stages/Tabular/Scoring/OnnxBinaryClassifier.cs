using Flow.Stages.Inference;
using Microsoft.ML.OnnxRuntime;

namespace Flow.Stages.Tabular.Scoring;

/// <summary>
/// A binary classifier served by ONNX Runtime from a model that ML.NET's converter wrote
/// (<see cref="MlNetBinaryClassifier.SaveOnnx"/>): input <c>Features</c> (float, [N, features]),
/// output <c>Probability.output</c> (float, [N, 1]). Each session owns one <see cref="InferenceSession"/>
/// on one thread (intra-op and inter-op threads 1, sequential execution) and scores a batch in one
/// <c>Run</c> over reused pinned buffers, so the lanes of a pipeline do not compete for ORT's own pool.
/// </summary>
public sealed class OnnxBinaryClassifier : IBinaryClassifier
{
    /// <summary>The graph input the feature matrix is bound to.</summary>
    public const string FeaturesInput = "Features";

    /// <summary>The graph output the calibrated probability is read from.</summary>
    public const string ProbabilityOutput = "Probability.output";

    private readonly OnnxModelOptions _options;

    private OnnxBinaryClassifier(string name, string path, int featureCount)
    {
        Name = name;

        // One intra-op and one inter-op thread, sequential execution: the defaults of OnnxModelOptions.
        _options = new OnnxModelOptions { ModelPath = path };
        FeatureCount = featureCount;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int FeatureCount { get; }

    /// <summary>Loads an ONNX model file and checks its inputs and outputs.</summary>
    /// <param name="name">A short name for reports.</param>
    /// <param name="path">The .onnx file.</param>
    /// <param name="featureCount">The length of the feature vector.</param>
    /// <returns>The classifier.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OnnxModelException">The file is not a model ONNX Runtime can load.</exception>
    /// <exception cref="InvalidDataException">The graph lacks the <c>Features</c> input or the probability output, or expects another vector length.</exception>
    public static OnnxBinaryClassifier Load(string name, string path, int featureCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"ONNX model '{path}' not found", path);
        }

        var classifier = new OnnxBinaryClassifier(name, path, featureCount);
        using var session = classifier.CreateInferenceSession();
        if (!session.InputMetadata.TryGetValue(FeaturesInput, out var input) || input.Dimensions.Length != 2 || input.Dimensions[1] != featureCount)
        {
            throw new InvalidDataException($"ONNX model '{path}' has no '{FeaturesInput}' input of [N, {featureCount}] floats");
        }

        if (!session.OutputMetadata.ContainsKey(ProbabilityOutput))
        {
            throw new InvalidDataException($"ONNX model '{path}' has no '{ProbabilityOutput}' output");
        }

        return classifier;
    }

    /// <inheritdoc />
    public IBinaryClassifierSession CreateSession() => new Session(CreateInferenceSession(), FeatureCount);

    private InferenceSession CreateInferenceSession() => OnnxSessions.Create(_options);

    private sealed class Session : IBinaryClassifierSession
    {
        private readonly InferenceSession _session;
        private readonly RunOptions _run = new();
        private readonly int _featureCount;
        private readonly string[] _inputNames = [FeaturesInput];
        private readonly string[] _outputNames = [ProbabilityOutput];
        private readonly long[] _featureShape = new long[2];
        private readonly long[] _columnShape = new long[2];
        private readonly OrtValue[] _inputs = new OrtValue[1];
        private readonly OrtValue[] _outputs = new OrtValue[1];
        private float[] _features = [];
        private float[] _probabilities = [];

        public Session(InferenceSession session, int featureCount)
        {
            _session = session;
            _featureCount = featureCount;
        }

        public void Predict(IReadOnlyList<float[]> features, Span<float> probabilities)
        {
            int count = features.Count;
            if (probabilities.Length < count)
            {
                throw new ArgumentException($"room for {probabilities.Length} probabilities, {count} needed", nameof(probabilities));
            }

            if (count == 0)
            {
                return;
            }

            if (_probabilities.Length < count)
            {
                int capacity = Math.Max(count, _probabilities.Length * 2);
                _features = GC.AllocateArray<float>(capacity * _featureCount, pinned: true);
                _probabilities = GC.AllocateArray<float>(capacity, pinned: true);
            }

            for (int i = 0; i < count; i++)
            {
                var row = features[i];
                if (row.Length != _featureCount)
                {
                    throw new ArgumentException($"feature vector {i} has {row.Length} values; the model expects {_featureCount}", nameof(features));
                }

                row.CopyTo(_features, i * _featureCount);
            }

            _featureShape[0] = count;
            _featureShape[1] = _featureCount;
            _columnShape[0] = count;
            _columnShape[1] = 1;

            // The OrtValues only describe the pinned arrays (no copy); ORT writes the probabilities in place.
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _features.AsMemory(0, count * _featureCount), _featureShape);
            using var output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _probabilities.AsMemory(0, count), _columnShape);
            _inputs[0] = input;
            _outputs[0] = output;
            _session.Run(_run, _inputNames, _inputs, _outputNames, _outputs);
            _probabilities.AsSpan(0, count).CopyTo(probabilities);
        }

        public void Dispose()
        {
            _run.Dispose();
            _session.Dispose();
        }
    }
}
