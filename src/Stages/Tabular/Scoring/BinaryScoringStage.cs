using Flow.Pipeline;

namespace Flow.Stages.Tabular.Scoring;

/// <summary>
/// Scores batches of items with one <see cref="IBinaryClassifierSession"/>. Not thread-safe: add it
/// with a factory (<c>.Then(() =&gt; new BinaryScoringStage&lt;T&gt;(...))</c>) so each worker has its own session.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class BinaryScoringStage<T> : Stage<T[], Scored<T>[]>, IDisposable
{
    private readonly IBinaryClassifier _classifier;
    private readonly Func<T, float[]> _features;
    private IBinaryClassifierSession? _session;
    private float[] _probabilities = [];
    private readonly List<float[]> _vectors = [];

    /// <summary>Creates the stage.</summary>
    /// <param name="classifier">The model; a session is created when the stage opens.</param>
    /// <param name="features">The item's feature vector.</param>
    public BinaryScoringStage(IBinaryClassifier classifier, Func<T, float[]> features)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(features);
        _classifier = classifier;
        _features = features;
    }

    /// <inheritdoc />
    public override ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        _session = _classifier.CreateSession();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override ValueTask<Scored<T>[]> ProcessAsync(T[] item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var session = _session ?? throw new InvalidOperationException("the scoring stage was not opened");
        _vectors.Clear();
        foreach (var x in item)
        {
            _vectors.Add(_features(x));
        }

        if (_probabilities.Length < item.Length)
        {
            _probabilities = new float[item.Length];
        }

        session.Predict(_vectors, _probabilities);
        var scored = new Scored<T>[item.Length];
        for (int i = 0; i < item.Length; i++)
        {
            scored[i] = new Scored<T>(item[i], _probabilities[i]);
        }

        return ValueTask.FromResult(scored);
    }

    /// <inheritdoc />
    public override ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Releases the session.</summary>
    public void Dispose()
    {
        _session?.Dispose();
        _session = null;
    }
}
