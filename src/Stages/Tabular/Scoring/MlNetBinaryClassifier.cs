using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flow.Stages.Tabular.Scoring;

/// <summary>
/// An ML.NET binary classifier (LightGBM, FastTree, …) over a <c>Features</c> vector. Each session
/// owns its own <c>PredictionEngine</c>, which is not thread-safe.
/// </summary>
public sealed class MlNetBinaryClassifier : IBinaryClassifier
{
    private readonly MLContext _context;
    private readonly ITransformer _model;
    private readonly SchemaDefinition _inputSchema;
    private readonly Lock _engineLock = new();

    /// <summary>Wraps a trained ML.NET model.</summary>
    /// <param name="name">A short name for reports.</param>
    /// <param name="context">The context the model was trained or loaded with.</param>
    /// <param name="model">The model; it reads <c>Features</c> and writes <c>Probability</c>.</param>
    /// <param name="featureCount">The length of the feature vector.</param>
    public MlNetBinaryClassifier(string name, MLContext context, ITransformer model, int featureCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        Name = name;
        _context = context;
        _model = model;
        FeatureCount = featureCount;
        _inputSchema = CreateInputSchema(featureCount);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int FeatureCount { get; }

    /// <summary>The ML.NET model.</summary>
    public ITransformer Model => _model;

    /// <summary>Loads a model saved by <see cref="Save"/>.</summary>
    /// <param name="name">A short name for reports.</param>
    /// <param name="path">The model's .zip file.</param>
    /// <param name="featureCount">The length of the feature vector.</param>
    /// <returns>The classifier.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static MlNetBinaryClassifier Load(string name, string path, int featureCount)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"model file '{path}' not found", path);
        }

        var context = new MLContext(seed: 1);
        var model = context.Model.Load(path, out _);
        return new MlNetBinaryClassifier(name, context, model, featureCount);
    }

    /// <summary>The schema of <see cref="FeatureRow"/> with the vector length fixed, as ML.NET needs it.</summary>
    /// <param name="featureCount">The length of the feature vector.</param>
    /// <returns>The schema definition.</returns>
    public static SchemaDefinition CreateInputSchema(int featureCount)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        return schema;
    }

    /// <summary>Saves the model as an ML.NET .zip file.</summary>
    /// <param name="path">The file to create or overwrite.</param>
    public void Save(string path)
    {
        var schema = _context.Data.LoadFromEnumerable(Array.Empty<FeatureRow>(), _inputSchema).Schema;
        _context.Model.Save(_model, schema, path);
    }

    /// <summary>
    /// Converts the model to ONNX with ML.NET's own converter (<c>Microsoft.ML.OnnxConverter</c>) and
    /// writes it to <paramref name="path"/>. The graph's only input is <c>Features</c> (float, [N, features]);
    /// <see cref="OnnxBinaryClassifier"/> serves it. On failure no file is left behind.
    /// </summary>
    /// <param name="path">The .onnx file to create or overwrite.</param>
    public void SaveOnnx(string path)
    {
        var schema = CreateInputSchema(FeatureCount);
        schema.RemoveAll(c => c.MemberName == nameof(FeatureRow.Label));
        var data = _context.Data.LoadFromEnumerable(Array.Empty<FeatureRow>(), schema);
        try
        {
            using var stream = File.Create(path);
            _context.Model.ConvertToOnnx(_model, data, stream);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <inheritdoc />
    public IBinaryClassifierSession CreateSession()
    {
        lock (_engineLock)
        {
            return new Session(_context.Model.CreatePredictionEngine<FeatureRow, BinaryPrediction>(_model, ignoreMissingColumns: true, inputSchemaDefinition: _inputSchema), FeatureCount);
        }
    }

    /// <summary>Scores many rows at once with <c>Transform</c> (the batch path, thread-safe).</summary>
    /// <param name="features">The feature vectors.</param>
    /// <returns>One probability per vector, in order.</returns>
    public float[] PredictAll(IEnumerable<float[]> features)
    {
        var data = _context.Data.LoadFromEnumerable(features.Select(f => new FeatureRow { Features = f }), _inputSchema);
        var scored = _model.Transform(data);
        return scored.GetColumn<float>(nameof(BinaryPrediction.Probability)).ToArray();
    }

    private sealed class Session(PredictionEngine<FeatureRow, BinaryPrediction> engine, int featureCount) : IBinaryClassifierSession
    {
        private readonly FeatureRow _row = new();
        private readonly BinaryPrediction _prediction = new();

        public void Predict(IReadOnlyList<float[]> features, Span<float> probabilities)
        {
            if (probabilities.Length < features.Count)
            {
                throw new ArgumentException($"room for {probabilities.Length} probabilities, {features.Count} needed", nameof(probabilities));
            }

            for (int i = 0; i < features.Count; i++)
            {
                if (features[i].Length != featureCount)
                {
                    throw new ArgumentException($"feature vector {i} has {features[i].Length} values; the model expects {featureCount}", nameof(features));
                }

                _row.Features = features[i];
                var prediction = _prediction;
                engine.Predict(_row, ref prediction);
                probabilities[i] = prediction.Probability;
            }
        }

        public void Dispose() => engine.Dispose();
    }
}
