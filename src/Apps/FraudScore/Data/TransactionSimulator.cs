using System.Globalization;
using System.Text;

namespace Flow.Apps.FraudScore.Data;

/// <summary>
/// Generates a labelled stream of card transactions in time order: cards with habits (home country,
/// usual merchants, typical amounts, daily rhythm), heavy-tailed amounts, and injected fraud
/// episodes (<see cref="FraudPattern"/>). Deterministic for a seed.
/// </summary>
public static class TransactionSimulator
{
    /// <summary>The CSV header the simulator writes and the scorer expects.</summary>
    public const string CsvHeader = "tx_id,timestamp,card_id,merchant_id,mcc,country,amount,is_fraud,pattern";

    private static readonly string[] Countries = ["US", "GB", "DE", "FR", "ES", "IT", "NL", "SE", "PL", "CA", "MX", "BR", "JP", "AU", "IN", "NG", "RU", "CN", "TR", "ZA"];
    private static readonly double[] HomeCountryWeights = [40, 12, 10, 8, 6, 5, 4, 3, 3, 4, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0];
    private static readonly int[] Categories = [5411, 5812, 5541, 5311, 4111, 5912, 5814, 5651, 5200, 7832, 5999, 4511, 7011, 5732, 5944, 5816, 4829, 7995, 5969, 5691];
    private static readonly int[] EverydayCategories = [5411, 5812, 5541, 5311, 4111, 5912, 5814, 5651, 5200, 7832, 5999];
    private static readonly int[] RiskyCategories = [5732, 5944, 5816, 4829, 7995];
    private static readonly int[] OnlineCategories = [5816, 5969, 5999, 4829];

    // Relative activity per hour of day (UTC is used as everyone's local time here).
    private static readonly double[] HourProfile = [0.15, 0.1, 0.08, 0.07, 0.08, 0.15, 0.35, 0.6, 0.9, 1.0, 1.05, 1.15, 1.3, 1.2, 1.05, 1.0, 1.05, 1.15, 1.25, 1.2, 1.0, 0.8, 0.5, 0.3];

    // Events per hour are proportional to the weight; normalizing by the mean weight keeps the span close to the option.
    private static readonly double MeanHourWeight = HourProfile.Average();

    /// <summary>Generates the transactions lazily, in time order.</summary>
    /// <param name="options">Rows, seed and shape of the stream.</param>
    /// <returns>Exactly <see cref="SimulatorOptions.Rows"/> transactions.</returns>
    public static IEnumerable<Transaction> Generate(SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new Generator(options).Run();
    }

    /// <summary>Writes the transactions to a CSV file with <see cref="CsvHeader"/>.</summary>
    /// <param name="options">Rows, seed and shape of the stream.</param>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="cancellationToken">Stops the writing.</param>
    /// <returns>How many rows were written and how many of them are fraud.</returns>
    public static (long Rows, long Fraud) WriteCsv(SimulatorOptions options, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        long rows = 0, fraud = 0;
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 20);
        writer.Write(CsvHeader);
        writer.Write('\n');
        Span<char> buffer = stackalloc char[256];
        foreach (var tx in Generate(options))
        {
            if ((rows & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            int length = Format(tx, buffer);
            writer.Write(buffer[..length]);
            rows++;
            if (tx.IsFraud)
            {
                fraud++;
            }
        }

        return (rows, fraud);
    }

    /// <summary>Formats one transaction as a CSV line ending in a newline.</summary>
    internal static int Format(Transaction tx, Span<char> destination)
    {
        var inv = CultureInfo.InvariantCulture;
        bool ok = destination.TryWrite(
            inv,
            $"{tx.TransactionId},{tx.Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ},{tx.CardId},{tx.MerchantId},{tx.MerchantCategory},{tx.Country},{tx.Amount:0.00},{(tx.IsFraud ? 1 : 0)},{tx.Pattern}\n",
            out int written);
        if (!ok)
        {
            throw new InvalidOperationException("a CSV line did not fit its buffer");
        }

        return written;
    }

    private sealed class Card
    {
        public required string Home { get; init; }
        public required int[] Merchants { get; init; }
        public required double LogMean { get; init; }
        public required double LogStd { get; init; }
    }

    private sealed class Generator(SimulatorOptions options)
    {
        private readonly Random _random = new(options.Seed);
        private readonly PriorityQueue<Transaction, (long Ticks, long Order)> _pending = new();
        private readonly Dictionary<int, long> _compromisedUntil = [];
        private long _order;
        private Card[] _cards = [];
        private double[] _cardCumulative = [];
        private int[] _merchantCategory = [];
        private string[] _merchantCountry = [];
        private Dictionary<string, int[]> _merchantsByCountry = [];

        public IEnumerable<Transaction> Run()
        {
            BuildWorld();
            long rows = options.Rows;
            double meanGapTicks = options.Span.Ticks / (double)rows;
            long time = options.Start.Ticks;
            long id = 0;
            var normal = NextNormal(ref time, meanGapTicks);
            while (id < rows)
            {
                Transaction next;
                if (_pending.TryPeek(out var fraud, out var key) && key.Ticks <= normal.Timestamp.Ticks)
                {
                    _pending.Dequeue();
                    next = fraud;
                }
                else
                {
                    next = normal;
                    MaybeStartEpisode(normal);
                    normal = NextNormal(ref time, meanGapTicks);
                }

                id++;
                yield return next with { TransactionId = id };
            }
        }

        private void BuildWorld()
        {
            int merchants = (int)Math.Max(200, Math.Min(200_000, options.Rows / 200));
            _merchantCategory = new int[merchants];
            _merchantCountry = new string[merchants];
            var byCountry = new Dictionary<string, List<int>>();
            for (int m = 0; m < merchants; m++)
            {
                // Most merchants are everyday shops; a few sell risky goods.
                _merchantCategory[m] = _random.NextDouble() < 0.8 ? Pick(EverydayCategories) : Pick(Categories);
                _merchantCountry[m] = m < Countries.Length ? Countries[m] : Countries[PickWeighted(HomeCountryWeights.Select(w => w + 1).ToArray())];
                if (!byCountry.TryGetValue(_merchantCountry[m], out var list))
                {
                    byCountry[_merchantCountry[m]] = list = [];
                }

                list.Add(m);
            }

            _merchantsByCountry = byCountry.ToDictionary(p => p.Key, p => p.Value.ToArray());
            int cards = options.EffectiveCards;
            _cards = new Card[cards];
            _cardCumulative = new double[cards];
            double total = 0;
            for (int c = 0; c < cards; c++)
            {
                string home = Countries[PickWeighted(HomeCountryWeights)];
                var local = _merchantsByCountry[home];
                var usual = new int[4 + _random.Next(8)];
                for (int i = 0; i < usual.Length; i++)
                {
                    usual[i] = local[_random.Next(local.Length)];
                }

                _cards[c] = new Card { Home = home, Merchants = usual, LogMean = 2.8 + (Normal() * 0.7), LogStd = 0.5 + (_random.NextDouble() * 0.5) };
                total += Math.Exp(Normal() * 0.6); // activity: some cards are used far more than others
                _cardCumulative[c] = total;
            }
        }

        private Transaction NextNormal(ref long time, double meanGapTicks)
        {
            // Exponential gaps, stretched at night and squeezed at midday.
            double hourWeight = HourProfile[new DateTime(time, DateTimeKind.Utc).Hour] / MeanHourWeight;
            time += (long)(-Math.Log(1 - _random.NextDouble()) * meanGapTicks / hourWeight) + 1;
            int card = Array.BinarySearch(_cardCumulative, _random.NextDouble() * _cardCumulative[^1]);
            card = card < 0 ? ~card : card;
            card = Math.Min(card, _cards.Length - 1);
            var habits = _cards[card];
            int merchant;
            double where = _random.NextDouble();
            if (where < 0.85)
            {
                merchant = habits.Merchants[_random.Next(habits.Merchants.Length)];
            }
            else if (where < 0.98)
            {
                var local = _merchantsByCountry[habits.Home];
                merchant = local[_random.Next(local.Length)];
            }
            else
            {
                merchant = _random.Next(_merchantCategory.Length); // travel or online abroad
            }

            double amount = Math.Exp(habits.LogMean + (Normal() * habits.LogStd));
            if (_random.NextDouble() < 0.01)
            {
                amount *= 3 + (_random.NextDouble() * 5); // an occasional big legitimate purchase
            }

            var tx = new Transaction(0, new DateTime(time, DateTimeKind.Utc), card + 1, merchant, _merchantCategory[merchant], _merchantCountry[merchant], RoundAmount(amount), false, FraudPattern.None);
            if (_compromisedUntil.TryGetValue(merchant, out long until))
            {
                if (until < time)
                {
                    _compromisedUntil.Remove(merchant);
                }
                else if (_random.NextDouble() < 0.3)
                {
                    ScheduleCompromiseFraud(tx);
                }
            }

            return tx;
        }

        private void MaybeStartEpisode(Transaction trigger)
        {
            if (_random.NextDouble() >= options.FraudEpisodeRate)
            {
                return;
            }

            long start = trigger.Timestamp.Ticks + TimeSpan.TicksPerSecond * (1 + _random.Next(600));
            long card = trigger.CardId;
            var habits = _cards[card - 1];
            switch (_random.Next(4))
            {
                case 0:
                {
                    int count = 6 + _random.Next(12);
                    long t = start;
                    for (int i = 0; i < count; i++)
                    {
                        int merchant = RandomMerchantIn(OnlineCategories);
                        Schedule(new Transaction(0, new DateTime(t, DateTimeKind.Utc), card, merchant, _merchantCategory[merchant], _merchantCountry[merchant], RoundAmount(0.5 + (_random.NextDouble() * 2.5)), true, FraudPattern.CardTesting));
                        t += TimeSpan.TicksPerSecond * (3 + _random.Next(25));
                    }

                    break;
                }

                case 1:
                {
                    string country = ForeignCountry(habits.Home);
                    int count = 2 + _random.Next(5);
                    long t = start;
                    for (int i = 0; i < count; i++)
                    {
                        int merchant = RandomMerchantIn(RiskyCategories, country);
                        double amount = Math.Exp(habits.LogMean) * (6 + (_random.NextDouble() * 20));
                        Schedule(new Transaction(0, new DateTime(t, DateTimeKind.Utc), card, merchant, _merchantCategory[merchant], _merchantCountry[merchant], RoundAmount(amount), true, FraudPattern.AccountTakeover));
                        t += TimeSpan.TicksPerMinute * (2 + _random.Next(40));
                    }

                    break;
                }

                case 2:
                {
                    int count = 10 + _random.Next(16);
                    long t = start;
                    for (int i = 0; i < count; i++)
                    {
                        var local = _merchantsByCountry[habits.Home];
                        int merchant = local[_random.Next(local.Length)];
                        double amount = Math.Exp(habits.LogMean + (Normal() * habits.LogStd)) * 1.5;
                        Schedule(new Transaction(0, new DateTime(t, DateTimeKind.Utc), card, merchant, _merchantCategory[merchant], _merchantCountry[merchant], RoundAmount(amount), true, FraudPattern.HighVelocity));
                        t += TimeSpan.TicksPerSecond * (5 + _random.Next(40));
                    }

                    break;
                }

                default:
                    // The merchant just used is compromised for two days: cards paying there are skimmed.
                    _compromisedUntil[trigger.MerchantId] = trigger.Timestamp.Ticks + TimeSpan.TicksPerDay * 2;
                    break;
            }
        }

        private void ScheduleCompromiseFraud(Transaction skimmed)
        {
            var habits = _cards[skimmed.CardId - 1];
            string country = ForeignCountry(habits.Home);
            long t = skimmed.Timestamp.Ticks + TimeSpan.TicksPerHour * (2 + _random.Next(46));
            int count = 1 + _random.Next(3);
            for (int i = 0; i < count; i++)
            {
                int merchant = RandomMerchantIn(RiskyCategories, country);
                double amount = Math.Exp(habits.LogMean) * (3 + (_random.NextDouble() * 10));
                Schedule(new Transaction(0, new DateTime(t, DateTimeKind.Utc), skimmed.CardId, merchant, _merchantCategory[merchant], _merchantCountry[merchant], RoundAmount(amount), true, FraudPattern.MerchantCompromise));
                t += TimeSpan.TicksPerMinute * (5 + _random.Next(120));
            }
        }

        private void Schedule(Transaction tx) => _pending.Enqueue(tx, (tx.Timestamp.Ticks, _order++));

        private int RandomMerchantIn(int[] categories, string? country = null)
        {
            // Rejection sampling keeps the merchant world fixed; fall back to any merchant of the country.
            var pool = country is null ? null : _merchantsByCountry.GetValueOrDefault(country);
            for (int attempt = 0; attempt < 64; attempt++)
            {
                int m = pool is null ? _random.Next(_merchantCategory.Length) : pool[_random.Next(pool.Length)];
                if (Array.IndexOf(categories, _merchantCategory[m]) >= 0)
                {
                    return m;
                }
            }

            return pool is null ? _random.Next(_merchantCategory.Length) : pool[_random.Next(pool.Length)];
        }

        private string ForeignCountry(string home)
        {
            string country;
            do
            {
                country = Countries[_random.Next(Countries.Length)];
            }
            while (country == home || !_merchantsByCountry.ContainsKey(country));
            return country;
        }

        private T Pick<T>(T[] values) => values[_random.Next(values.Length)];

        private int PickWeighted(double[] weights)
        {
            double r = _random.NextDouble() * weights.Sum();
            for (int i = 0; i < weights.Length; i++)
            {
                r -= weights[i];
                if (r < 0)
                {
                    return i;
                }
            }

            return weights.Length - 1;
        }

        private double Normal()
        {
            // Box–Muller; one value per call keeps the sequence simple to reason about.
            double u1 = 1 - _random.NextDouble();
            double u2 = _random.NextDouble();
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        private static float RoundAmount(double amount) => (float)(Math.Round(Math.Max(0.01, amount) * 100) / 100);
    }
}
