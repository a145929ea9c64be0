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

    public float[] Next(Transaction tx)
    {
        if (!_cards.TryGetValue(tx.CardId, out var state))
        {
            state = new CardState();
            _cards.Add(tx.CardId, state);
        }

        return state.Next(tx);
    }
}
