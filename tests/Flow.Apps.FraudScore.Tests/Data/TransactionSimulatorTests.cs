using Flow.Apps.FraudScore.Data;

namespace Flow.Apps.FraudScore.Tests.Data;

public sealed class TransactionSimulatorTests
{
    [Fact]
    public void Generate_SameSeed_IdenticalRows_OtherSeedDiffers()
    {
        var a = TransactionSimulator.Generate(new SimulatorOptions { Rows = 5000, Seed = 3 }).ToList();
        var b = TransactionSimulator.Generate(new SimulatorOptions { Rows = 5000, Seed = 3 }).ToList();
        var c = TransactionSimulator.Generate(new SimulatorOptions { Rows = 5000, Seed = 4 }).ToList();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Generate_50kRows_ExactCountTimeOrderedFraudRateAndEveryPattern()
    {
        var rows = TransactionSimulator.Generate(new SimulatorOptions { Rows = 50_000, Seed = 7 }).ToList();

        Assert.Equal(50_000, rows.Count);
        Assert.Equal(Enumerable.Range(1, 50_000).Select(i => (long)i), rows.Select(r => r.TransactionId));
        Assert.All(rows.Zip(rows.Skip(1)), pair => Assert.True(pair.First.Timestamp <= pair.Second.Timestamp));
        double fraudRate = rows.Count(r => r.IsFraud) / (double)rows.Count;
        Assert.InRange(fraudRate, 0.01, 0.03);
        var patterns = rows.Where(r => r.IsFraud).Select(r => r.Pattern).ToHashSet();
        Assert.Equal(
            new HashSet<string> { FraudPattern.CardTesting, FraudPattern.AccountTakeover, FraudPattern.HighVelocity, FraudPattern.MerchantCompromise },
            patterns);
        Assert.All(rows.Where(r => !r.IsFraud), r => Assert.Equal(FraudPattern.None, r.Pattern));
        Assert.All(rows.Where(r => r.Pattern == FraudPattern.CardTesting), r => Assert.True(r.Amount <= 3.0f));
    }

    [Fact]
    public async Task WriteCsv_RoundTripsThroughTheCsvReader()
    {
        string path = Path.Combine(Path.GetTempPath(), $"flow-sim-{Guid.NewGuid():N}.csv");
        try
        {
            var options = new SimulatorOptions { Rows = 2000, Seed = 11 };
            var (rows, fraud) = TransactionSimulator.WriteCsv(options, path);
            var read = await TransactionFile.ReadAllAsync(path);
            var expected = TransactionSimulator.Generate(options).ToList();

            Assert.Equal(2000, rows);
            Assert.Equal(expected.Count(t => t.IsFraud), fraud);
            Assert.Equal(expected.Select(t => t with { Timestamp = Truncate(t.Timestamp) }), read);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Options_InvalidValues_Throw()
    {
        var options = new SimulatorOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.Rows = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.FraudEpisodeRate = 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Span = TimeSpan.Zero);
    }

    // The CSV keeps milliseconds.
    private static DateTime Truncate(DateTime t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
}
