using Flow.Apps.FraudScore.Data;
using Flow.Apps.FraudScore.Features;
using Flow.Pipeline;
using Flow.Stages.Tabular.Scoring;

namespace Flow.Apps.FraudScore.Scoring;

/// <summary>
/// One lane of the chunked scoring graph: from each chunk it takes the transactions of the cards it
/// owns (in chunk order, so each card's history is built in file order), computes their features
/// into reused buffers, scores them with its own model session, and emits them with their
/// probabilities. Every chunk goes to every lane; a card belongs to exactly one lane
/// (<see cref="LaneOf"/>), so lanes share no state and together score each transaction once.
/// Not thread-safe: one instance per lane.
/// </summary>
/// <typeparam name="T">The item type (a transaction, or a record that carries one).</typeparam>
internal sealed class FraudChunkLane<T> : Stage<T[], ScoredChunk<T>>, IDisposable
{
    private readonly int _lane;
    private readonly int _lanes;
    private readonly Func<T, Transaction> _transaction;
    private readonly IBinaryClassifier _model;
    private readonly Predicate<T> _owns;
    private readonly CardFeatureExtractor _features = new();
    private float[][] _vectors = [];
    private IBinaryClassifierSession? _session;

    public FraudChunkLane(int lane, int lanes, Func<T, Transaction> transaction, IBinaryClassifier model)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lanes);
        ArgumentOutOfRangeException.ThrowIfNegative(lane);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(lane, lanes);
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(model);
        _lane = lane;
        _lanes = lanes;
        _transaction = transaction;
        _model = model;
        _owns = x => LaneOf(_transaction(x).CardId, _lanes) == _lane;
    }

    /// <summary>The lane that owns <paramref name="cardId"/> among <paramref name="lanes"/>. Fibonacci hashing spreads consecutive ids.</summary>
    public static int LaneOf(long cardId, int lanes) => (int)(((ulong)cardId * 0x9E3779B97F4A7C15UL >> 32) % (ulong)lanes);

    public override ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        _session = _model.CreateSession();
        return ValueTask.CompletedTask;
    }

    public override ValueTask<ScoredChunk<T>> ProcessAsync(T[] item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var session = _session ?? throw new InvalidOperationException("the lane was not opened");
        var mine = _lanes == 1 ? item : Array.FindAll(item, _owns);

        // Feature vectors are reused from chunk to chunk: the session reads them before Predict returns.
        if (_vectors.Length < mine.Length)
        {
            int old = _vectors.Length;
            Array.Resize(ref _vectors, mine.Length);
            for (int i = old; i < _vectors.Length; i++)
            {
                _vectors[i] = new float[FraudFeatures.Count];
            }
        }

        for (int i = 0; i < mine.Length; i++)
        {
            _features.Next(_transaction(mine[i]), _vectors[i]);
        }

        var probabilities = new float[mine.Length];
        if (mine.Length > 0)
        {
            session.Predict(new ArraySegment<float[]>(_vectors, 0, mine.Length), probabilities);
        }

        return ValueTask.FromResult(new ScoredChunk<T>(mine, probabilities));
    }

    public override ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        _session?.Dispose();
        _session = null;
    }
}
