using Flow.Apps.FraudScore.Data;

namespace Flow.Apps.FraudScore.Features;

/// <summary>
/// What the scorer remembers about one card: its recent transactions (24 h window), running
/// statistics of its amounts, and the countries, categories and merchants it has used. Touched by
/// one worker at a time, in the card's transaction order.
/// </summary>
internal sealed class CardState
{
    private const float SmallAmount = 5f;
    private static readonly long Day = TimeSpan.TicksPerDay;

    private readonly Queue<(long Ticks, float Amount)> _recent = new();
    private readonly HashSet<string> _countries = new(StringComparer.Ordinal);
    private readonly HashSet<int> _categories = [];
    private readonly HashSet<int> _merchants = [];
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
        while (_recent.Count > 0 && now - _recent.Peek().Ticks > Day)
        {
            _recent.Dequeue();
        }

        int count1m = 0, count1h = 0, small1h = 0;
        double sum1h = 0;
        foreach (var (ticks, amount) in _recent)
        {
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
        features[4] = _recent.Count;
        features[5] = (float)Math.Log(1 + sum1h);
        features[6] = small1h;
        features[7] = (float)zscore;
        features[8] = _count > 0 ? tx.Amount / Math.Max(_max, 1f) : -1f;
        features[9] = _count > 0 && !_countries.Contains(tx.Country) ? 1 : 0;
        features[10] = _count > 0 && !_categories.Contains(tx.MerchantCategory) ? 1 : 0;
        features[11] = _count > 0 && !_merchants.Contains(tx.MerchantId) ? 1 : 0;
        features[12] = _count > 0 ? (float)Math.Log(1 + ((now - _lastTicks) / (double)TimeSpan.TicksPerSecond)) : -1f;
        features[13] = (float)Math.Log(1 + _count);
        features[14] = tx.MerchantCategory;

        // Update after computing, so a transaction never sees itself.
        _recent.Enqueue((now, tx.Amount));
        _countries.Add(tx.Country);
        _categories.Add(tx.MerchantCategory);
        _merchants.Add(tx.MerchantId);
        _count++;
        double delta = logAmount - _mean;
        _mean += delta / _count;
        _m2 += delta * (logAmount - _mean);
        _max = Math.Max(_max, tx.Amount);
        _lastTicks = now;
    }
}
