using System.Collections.Concurrent;
using Flow.Apps.FraudScore.Data;
using Flow.Apps.FraudScore.Features;
using Flow.Apps.FraudScore.Models;
using Flow.Apps.FraudScore.Scoring;

namespace Flow.Apps.FraudScore.Tests.Scoring;

[Collection("fraud")]
public sealed class FraudCsvScoringTests(FraudFixture fixture)
{
    private async Task<(FraudScoreSummary Summary, Dictionary<long, float> Scores)> ScoreAsync(string csv, string kind = FraudModelKind.LightGbm, int dop = 2, string? rejects = null, string? scoredPath = null, int chunkSize = 64)
    {
        var (model, threshold) = FraudTraining.LoadModel(fixture.ModelFolder, kind);
        var scores = new ConcurrentDictionary<long, float>();
        int duplicates = 0;
        var summary = await FraudCsvScoring.RunAsync(
            new FraudScoreSettings { InputPath = csv, RejectPath = rejects ?? fixture.NewPath("rejects.txt"), ScoredPath = scoredPath, Pipeline = new FraudScoringOptions { DegreeOfParallelism = dop, BatchSize = chunkSize } },
            model,
            threshold,
            (tx, p, _) =>
            {
                if (!scores.TryAdd(tx.TransactionId, p))
                {
                    Interlocked.Increment(ref duplicates);
                }
            },
            CancellationToken.None);
        Assert.Equal(0, duplicates);
        return (summary, new Dictionary<long, float>(scores));
    }

    /// <summary>The sequential reference: one card state per card in file order, one model session, no pipeline.</summary>
    private Dictionary<long, float> SequentialReference(IReadOnlyList<Transaction> transactions, string kind)
    {
        var (model, _) = FraudTraining.LoadModel(fixture.ModelFolder, kind);
        var extractor = new CardFeatureExtractor();
        using var session = model.CreateSession();
        var result = new Dictionary<long, float>();
        var probability = new float[1];
        foreach (var tx in transactions)
        {
            session.Predict([extractor.Next(tx)], probability);
            result.Add(tx.TransactionId, probability[0]);
        }

        return result;
    }

    [Theory]
    [InlineData(FraudModelKind.LightGbm)]
    [InlineData(FraudModelKind.FastTree)]
    [InlineData(FraudModelKind.Mlp)]
    public async Task Score_Parallel_EqualsSequentialReference(string kind)
    {
        var (summary, scores) = await ScoreAsync(fixture.CsvPath, kind, dop: 3);
        var reference = SequentialReference(await TransactionFile.ReadAllAsync(fixture.CsvPath), kind);

        Assert.Equal(FraudFixture.Rows, summary.Scored);
        Assert.Equal(reference.Count, scores.Count);
        foreach (var (id, p) in reference)
        {
            if (kind == FraudModelKind.Mlp)
            {
                // Flow.Neural's GEMM sums in an order that depends on the batch size (SIMD blocking), so a
                // row scored in a batch of 64 can differ from the same row alone in the last bits.
                Assert.Equal(p, scores[id], 1e-6f);
            }
            else
            {
                Assert.Equal(p, scores[id]);
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 256)]
    [InlineData(2, 1000)]
    [InlineData(2, FraudFixture.Rows + 1)]
    [InlineData(4, 333)]
    public async Task Score_ChunkedLanes_EqualsSequentialReference(int dop, int chunkSize)
    {
        var (summary, scores) = await ScoreAsync(fixture.CsvPath, FraudModelKind.LightGbm, dop, chunkSize: chunkSize);
        var reference = SequentialReference(await TransactionFile.ReadAllAsync(fixture.CsvPath), FraudModelKind.LightGbm);

        Assert.Equal(FraudFixture.Rows, summary.Scored);
        Assert.Equal(reference, scores);
    }

    [Fact]
    public async Task Score_SameCsvTwice_IdenticalScoredOutputs()
    {
        string first = fixture.NewPath("scored-1.csv");
        string second = fixture.NewPath("scored-2.csv");

        await ScoreAsync(fixture.CsvPath, scoredPath: first);
        await ScoreAsync(fixture.CsvPath, scoredPath: second);

        // Order across cards may differ between runs; the set of lines may not.
        var a = File.ReadAllLines(first);
        var b = File.ReadAllLines(second);
        Assert.Equal(FraudFixture.Rows + 1, a.Length);
        Assert.Equal(a.Order(StringComparer.Ordinal), b.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Score_TenPercentMalformedRows_ExactDeadLetterCountAndEveryValidRowScored()
    {
        // Corrupt every 10th data row in one of five ways; the rest must all be scored.
        var lines = File.ReadAllLines(fixture.CsvPath).Take(5001).ToArray();
        var corrupted = new Dictionary<int, string>();
        string[] reasons = ["is not a positive number", "fields, expected", "is not a date and time", "is not a two-letter country code", "is not a non-negative integer"];
        for (int row = 10, k = 0; row <= 5000; row += 10, k++)
        {
            var fields = lines[row].Split(',');
            lines[row] = (k % 5) switch
            {
                0 => string.Join(',', fields[..6]) + ",-3.5," + string.Join(',', fields[7..]),
                1 => string.Join(',', fields[..5]),
                2 => fields[0] + ",yesterday," + string.Join(',', fields[2..]),
                3 => string.Join(',', fields[..5]) + ",Atlantis," + string.Join(',', fields[6..]),
                _ => fields[0] + ",2026-01-01T00:00:00Z,card-x," + string.Join(',', fields[3..]),
            };
            corrupted[row + 1] = reasons[k % 5];
        }

        string csv = fixture.NewPath("malformed.csv");
        File.WriteAllLines(csv, lines);
        string rejects = fixture.NewPath("malformed.rejected.txt");

        var (summary, scores) = await ScoreAsync(csv, rejects: rejects);

        Assert.Equal(500, summary.Rejected);
        Assert.Equal(5000, summary.RowsRead);
        Assert.Equal(4500, summary.Scored);
        var expectedIds = lines.Skip(1).Where((_, i) => (i + 1) % 10 != 0).Select(l => long.Parse(l.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expectedIds.Order(), scores.Keys.Order());
        var deadLetters = File.ReadAllLines(rejects);
        Assert.Equal(500, deadLetters.Length);
        foreach (var line in deadLetters)
        {
            // file:line: reason | record
            var match = System.Text.RegularExpressions.Regex.Match(line, @"^(.*):(\d+): (.*) \| (.*)$");
            Assert.True(match.Success, line);
            Assert.Equal(csv, match.Groups[1].Value);
            int lineNumber = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains(corrupted[lineNumber], match.Groups[3].Value);
            Assert.Equal(lines[lineNumber - 1], match.Groups[4].Value);
        }
    }

    [Fact]
    public async Task RunAsync_MissingModelFolder_OneLineErrorSaysWhatToDo()
    {
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => FraudCsvScoring.RunAsync(
            new FraudScoreSettings { InputPath = fixture.CsvPath, ModelFolder = fixture.NewPath("missing") },
            TextWriter.Null,
            CancellationToken.None));

        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("(pass --models or run 'flow fraud train')", error.Message);
    }
}
