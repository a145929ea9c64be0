using Flow.Apps.FraudScore.Data;

namespace Flow.Apps.FraudScore.Features;

/// <summary>
/// What the scorer remembers about one card: its recent transactions (24 h window), running
/// statistics of its amounts, and the countries, categories and merchants it has used. Touched by
/// one worker at a time, in the card's transaction order.
/// </summary>
/// <remarks>
/// The state is kept in a few flat arrays (a ring of recent transactions and small sets scanned
/// linearly) rather than a queue and three hash sets: a card is looked up once per transaction, in
/// no particular order among tens of thousands of cards, so what a transaction costs is mostly
/// cache misses, and every separate object of the card's state is one more. A set that grows past
/// <see cref="CardSet{T}.InlineLimit"/> values moves to a <see cref="HashSet{T}"/>, so a card with
/// very many merchants stays linear in its transactions.
/// </remarks>
internal sealed class CardState
{
    private const float SmallAmount = 5f;
    private static readonly long Day = TimeSpan.TicksPerDay;

    // Recent transactions, oldest first, in a ring: _recent[(_recentStart + i) % _recent.Length] for i < _recentCount.
    private (long Ticks, float Amount)[] _recent = new (long, float)[4];
    private int _recentStart;
    private int _recentCount;
    private CardSet<string> _countries;
    private CardSet<int> _categories;
    private CardSet<int> _merchants;
    private long _count;
    private double _mean;
    private double _m2;
    private float _max;
    private long _lastTicks;

    /// <summary>Computes the features of <paramref name="tx"/> from the card's history, then adds it to the history.</summary>
    public float[] Next(Transaction tx)
    {
        var features = new float[FraudFeatures.Count];
        Next(tx, features);
        return features;
    }

    /// <summary>Writes the features of <paramref name="tx"/> into <paramref name="features"/> (no allocation), then adds it to the history.</summary>
    public void Next(Transaction tx, Span<float> features)
    {
        long now = tx.Timestamp.Ticks;
        var recent = _recent;
        while (_recentCount > 0 && now - recent[_recentStart].Ticks > Day)
        {
            _recentStart = _recentStart + 1 == recent.Length ? 0 : _recentStart + 1;
            _recentCount--;
        }

        // Oldest first, as the queue this replaced was enumerated: the 1 h sum adds in the same order.
        int count1m = 0, count1h = 0, small1h = 0;
        double sum1h = 0;
        for (int i = 0, slot = _recentStart; i < _recentCount; i++, slot = slot + 1 == recent.Length ? 0 : slot + 1)
        {
            var (ticks, amount) = recent[slot];
            long age = now - ticks;
            if (age <= TimeSpan.TicksPerHour)
            {
                count1h++;
                sum1h += amount;
                small1h += amount < SmallAmount ? 1 : 0;
                if (age <= TimeSpan.TicksPerMinute)
                {
                    count1m++;
                }
            }
        }

        double logAmount = Math.Log(1 + tx.Amount);
        double std = _count > 1 ? Math.Sqrt(_m2 / (_count - 1)) : 0;
        double zscore = _count > 1 ? (logAmount - _mean) / Math.Max(std, 0.1) : 0;
        features[0] = (float)logAmount;
        features[1] = tx.Timestamp.Hour;
        features[2] = count1m;
        features[3] = count1h;
        features[4] = _recentCount;
        features[5] = (float)Math.Log(1 + sum1h);
        features[6] = small1h;
        features[7] = (float)zscore;
        features[8] = _count > 0 ? tx.Amount / Math.Max(_max, 1f) : -1f;

        // Each set is searched once: AddIfMissing says whether the value was new.
        bool newCountry = _countries.AddIfMissing(tx.Country);
        bool newCategory = _categories.AddIfMissing(tx.MerchantCategory);
        bool newMerchant = _merchants.AddIfMissing(tx.MerchantId);
        features[9] = _count > 0 && newCountry ? 1 : 0;
        features[10] = _count > 0 && newCategory ? 1 : 0;
        features[11] = _count > 0 && newMerchant ? 1 : 0;
        features[12] = _count > 0 ? (float)Math.Log(1 + ((now - _lastTicks) / (double)TimeSpan.TicksPerSecond)) : -1f;
        features[13] = (float)Math.Log(1 + _count);
        features[14] = tx.MerchantCategory;

        // Update after computing, so a transaction never sees itself.
        Remember(now, tx.Amount);
        _count++;
        double delta = logAmount - _mean;
        _mean += delta / _count;
        _m2 += delta * (logAmount - _mean);
        _max = Math.Max(_max, tx.Amount);
        _lastTicks = now;
    }

    private void Remember(long ticks, float amount)
    {
        if (_recentCount == _recent.Length)
        {
            // Grow and unwrap the ring, oldest first.
            var grown = new (long, float)[_recent.Length * 2];
            int tail = _recent.Length - _recentStart;
            Array.Copy(_recent, _recentStart, grown, 0, tail);
            Array.Copy(_recent, 0, grown, tail, _recentStart);
            _recent = grown;
            _recentStart = 0;
        }

        int slot = _recentStart + _recentCount;
        _recent[slot >= _recent.Length ? slot - _recent.Length : slot] = (ticks, amount);
        _recentCount++;
    }
}
