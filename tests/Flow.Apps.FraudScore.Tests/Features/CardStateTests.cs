using Flow.Apps.FraudScore.Data;
using Flow.Apps.FraudScore.Features;

namespace Flow.Apps.FraudScore.Tests.Features;

public sealed class CardStateTests
{
    [Fact]
    public void Next_SimulatedStream_EqualsTheHashSetReference()
    {
        var transactions = TransactionSimulator.Generate(new SimulatorOptions { Rows = 40_000, Seed = 11 }).ToList();

        AssertSameFeatures(transactions);
    }

    [Fact]
    public void Next_OneCardWithManyMerchantsAndLongGaps_EqualsTheHashSetReference()
    {
        // One card: 300 distinct merchants (past the sets' inline limit), repeats, bursts inside a minute,
        // and gaps longer than a day (the recent window empties and its ring wraps around).
        var random = new Random(5);
        var time = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var transactions = new List<Transaction>();
        for (int i = 0; i < 3_000; i++)
        {
            time += random.Next(10) switch
            {
                0 => TimeSpan.FromHours(30),
                < 4 => TimeSpan.FromSeconds(random.Next(1, 50)),
                _ => TimeSpan.FromMinutes(random.Next(1, 300)),
            };
            transactions.Add(new Transaction(i, time, 42, random.Next(300), 5000 + random.Next(80), random.Next(4) == 0 ? "FR" : "DE", 0.5f + (random.NextSingle() * 900), false, FraudPattern.None));
        }

        AssertSameFeatures(transactions);
    }

    private static void AssertSameFeatures(IReadOnlyList<Transaction> transactions)
    {
        var states = new Dictionary<long, CardState>();
        var references = new Dictionary<long, ReferenceCardState>();
        var actual = new float[FraudFeatures.Count];
        foreach (var tx in transactions)
        {
            if (!states.TryGetValue(tx.CardId, out var state))
            {
                states[tx.CardId] = state = new CardState();
                references[tx.CardId] = new ReferenceCardState();
            }

            state.Next(tx, actual);
            float[] expected = references[tx.CardId].Next(tx);
            for (int f = 0; f < expected.Length; f++)
            {
                // Bitwise: the model was trained on these exact values.
                Assert.True(BitConverter.SingleToInt32Bits(expected[f]) == BitConverter.SingleToInt32Bits(actual[f]), $"tx {tx.TransactionId}, feature {FraudFeatures.Names[f]}: {actual[f]} != {expected[f]}");
            }
        }
    }

    /// <summary>The card state as first written (a queue and three hash sets): the definition the compact state must match.</summary>
    private sealed class ReferenceCardState
    {
        private readonly Queue<(long Ticks, float Amount)> _recent = new();
        private readonly HashSet<string> _countries = new(StringComparer.Ordinal);
        private readonly HashSet<int> _categories = [];
        private readonly HashSet<int> _merchants = [];
        private long _count;
        private double _mean;
        private double _m2;
        private float _max;
        private long _lastTicks;

        public float[] Next(Transaction tx)
        {
            var features = new float[FraudFeatures.Count];
            long now = tx.Timestamp.Ticks;
            while (_recent.Count > 0 && now - _recent.Peek().Ticks > TimeSpan.TicksPerDay)
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
                    small1h += amount < 5f ? 1 : 0;
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
            return features;
        }
    }
}
