using Flow.Apps.FraudScore.Data;

namespace Flow.Apps.FraudScore.Features;

/// <summary>
/// Computes features for a stream of transactions in time order, one card state per card, on one
/// thread. The scoring pipeline uses the same <see cref="CardState"/> per partition, so training and
/// serving see identical features.
/// </summary>
internal sealed class CardFeatureExtractor
{
    private readonly Dictionary<long, CardState> _cards = [];

    /// <summary>Computes the features of <paramref name="tx"/> from its card's history, then adds it to the history.</summary>
    public float[] Next(Transaction tx) => StateOf(tx.CardId).Next(tx);

    /// <summary>Writes the features of <paramref name="tx"/> into <paramref name="features"/> (no allocation), then adds it to its card's history.</summary>
    public void Next(Transaction tx, Span<float> features) => StateOf(tx.CardId).Next(tx, features);

    private CardState StateOf(long cardId)
    {
        if (!_cards.TryGetValue(cardId, out var state))
        {
            state = new CardState();
            _cards.Add(cardId, state);
        }

        return state;
    }
}
