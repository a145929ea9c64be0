using System.Globalization;
using Flow.Apps.FraudScore.Data;
using Flow.Apps.FraudScore.Models;
using Flow.Apps.FraudScore.Scoring;

namespace Flow.Apps.FraudScore.Tests.Scoring;

/// <summary>Kafka reliability tests against the librdkafka mock cluster (real protocol on loopback, no mocked client).</summary>
[Collection("fraud")]
public sealed class FraudKafkaTests(FraudFixture fixture)
{
    private string Bootstrap => fixture.Broker.BootstrapServers;

    private string Subset(int rows)
    {
        string path = fixture.NewPath($"tx-{rows}.csv");
        File.WriteAllLines(path, File.ReadLines(fixture.CsvPath).Take(rows + 1));
        return path;
    }

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}";

    private async Task<Dictionary<long, float>> CsvScoresAsync(string csv)
    {
        // The reference scores with the engine the Kafka path uses by default, so the scores must be equal.
        var (model, threshold) = FraudTraining.LoadModel(fixture.ModelFolder, FraudModelKind.LightGbm, new KafkaScoreSettings().Engine);
        var scores = new System.Collections.Concurrent.ConcurrentDictionary<long, float>();
        await FraudCsvScoring.RunAsync(new FraudScoreSettings { InputPath = csv, RejectPath = fixture.NewPath("r.txt") }, model, threshold, (tx, p, _) => scores[tx.TransactionId] = p, CancellationToken.None);
        return new Dictionary<long, float>(scores);
    }

    [Fact]
    public async Task Replay_SameCsvTwice_SamePartitionsAndOrder()
    {
        string csv = Subset(3000);
        string first = Unique("replay-a"), second = Unique("replay-b");

        var (produced, rejected) = await FraudKafkaReplay.RunAsync(csv, Bootstrap, first, null, TextWriter.Null, CancellationToken.None);
        await FraudKafkaReplay.RunAsync(csv, Bootstrap, second, null, TextWriter.Null, CancellationToken.None);

        Assert.Equal(3000, produced);
        Assert.Equal(0, rejected);
        var a = KafkaTestTools.ReadTopic(Bootstrap, first, 3000);
        var b = KafkaTestTools.ReadTopic(Bootstrap, second, 3000);
        Assert.Equal(3000, a.Count);
        Assert.Equal(
            a.Select(r => (r.Partition, r.Offset, r.Key, Convert.ToBase64String(r.Value))).Order(),
            b.Select(r => (r.Partition, r.Offset, r.Key, Convert.ToBase64String(r.Value))).Order());

        // Keyed by card: one card's transactions are in one partition, in time order.
        var byCard = a.Select(r => (r.Partition, r.Offset, Tx: TransactionJson.Deserialize(r.Value))).GroupBy(r => r.Tx.CardId);
        foreach (var card in byCard)
        {
            Assert.Single(card.Select(r => r.Partition).Distinct());
            var ordered = card.OrderBy(r => r.Offset).Select(r => r.Tx.TransactionId).ToList();
            Assert.Equal(ordered.Order(), ordered);
        }
    }

    [Fact]
    public async Task ScoreFromKafka_OneConsumer_EveryRecordScoredOnceWithTheCsvScores()
    {
        string csv = Subset(4000);
        string topic = Unique("tx"), scores = Unique("scores"), alerts = Unique("alerts"), group = Unique("g");
        await FraudKafkaReplay.RunAsync(csv, Bootstrap, topic, null, TextWriter.Null, CancellationToken.None);

        var summary = await FraudKafkaScoring.RunAsync(
            new KafkaScoreSettings { BootstrapServers = Bootstrap, Topic = topic, Group = group, ScoresTopic = scores, AlertsTopic = alerts, ModelFolder = fixture.ModelFolder, MaxRecords = 4000, SessionTimeoutMs = 3000 },
            TextWriter.Null,
            CancellationToken.None);

        var scored = KafkaTestTools.ReadScores(Bootstrap, scores, 4000);
        var expected = await CsvScoresAsync(csv);
        Assert.Equal(4000, summary.Scored);
        Assert.Equal(4000, scored.Count);
        Assert.Equal(expected.Keys.Order(), scored.Select(s => s.TransactionId).Order());
        Assert.All(scored, s => Assert.Equal(expected[s.TransactionId], s.Probability));
        var alerted = KafkaTestTools.ReadTopic(Bootstrap, alerts, (int)summary.Alerts);
        Assert.Equal(summary.Alerts, alerted.Count);
        Assert.Equal(scored.Count(s => s.Alert), alerted.Count);
        Assert.Equal(4000, KafkaTestTools.Committed(Bootstrap, topic, group).Values.Sum());
    }

    [Fact]
    public async Task ScoreFromKafka_TwoConsumersInOneGroup_SplitPartitionsAndScoreEverything()
    {
        string csv = Subset(6000);
        string topic = Unique("tx2"), scores = Unique("scores2"), group = Unique("g2");

        // Create the topic with a poison record (dead-lettered and committed), so both consumers can subscribe first.
        KafkaTestTools.Produce(Bootstrap, topic, "poison", "not json");

        KafkaScoreSettings Settings() => new()
        {
            BootstrapServers = Bootstrap, Topic = topic, Group = group, ScoresTopic = scores, AlertsTopic = Unique("a"),
            ModelFolder = fixture.ModelFolder, SessionTimeoutMs = 3000,
        };
        using var stop = new CancellationTokenSource();
        var firstLog = new SignalingWriter(@"^\[kafka\] assigned \d");
        var first = FraudKafkaScoring.RunAsync(Settings(), firstLog, stop.Token);
        await firstLog.Seen.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var secondLog = new SignalingWriter(@"^\[kafka\] assigned \d");
        var second = FraudKafkaScoring.RunAsync(Settings(), secondLog, stop.Token);
        await secondLog.Seen.Task.WaitAsync(TimeSpan.FromSeconds(60)); // cooperative: the second consumer now owns partitions
        await FraudKafkaReplay.RunAsync(csv, Bootstrap, topic, null, TextWriter.Null, CancellationToken.None);

        // The completion signal: the scores topic holds all 6,000 scores. Then both consumers stop the graceful way
        // (Ctrl+C in the CLI): what they read is scored, delivered and committed before they leave the group.
        await Task.Run(() => KafkaTestTools.ReadScores(Bootstrap, scores, 6000));
        await stop.CancelAsync();
        var results = await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(120));

        string logs = $"{firstLog}\n---\n{secondLog}";
        Assert.All(results, r => Assert.True(r.Scored > 0, $"a consumer scored nothing:\n{logs}"));
        var scored = KafkaTestTools.ReadScores(Bootstrap, scores, 6000);
        Assert.Equal(Enumerable.Range(1, 6000).Select(i => (long)i), scored.Select(s => s.TransactionId).Distinct().Order());

        // At least once: a record may be scored twice only if a rebalance moved its partition before
        // its offset was committed; here rebalances happen before the data and after it, so normally none.
        Assert.True(results.Sum(r => r.Scored) == scored.Count, logs);
        Assert.True(results.Sum(r => r.Scored) - 6000 <= 10, $"{results.Sum(r => r.Scored) - 6000} duplicates:\n{logs}");
        Assert.InRange(results.Sum(r => r.Rejected), 1, 2);
        var committed = KafkaTestTools.Committed(Bootstrap, topic, group);
        Assert.True(committed.Values.Sum() == 6001, $"committed {committed.Values.Sum()} of 6001:\n{logs}");
    }

    [Fact]
    public async Task ScoreFromKafka_CanceledMidStream_DrainsAndCommitsExactlyWhatWasScored()
    {
        string csv = Subset(5000);
        string topic = Unique("tx-stop"), scores = Unique("scores-stop"), group = Unique("g-stop");
        await FraudKafkaReplay.RunAsync(csv, Bootstrap, topic, null, TextWriter.Null, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var log = new SignalingWriter(@"^\[kafka\] assigned \d");

        // Throttled so that the stop surely lands mid-stream; Ctrl+C/SIGTERM map to this token in the CLI.
        var run = FraudKafkaScoring.RunAsync(
            new KafkaScoreSettings { BootstrapServers = Bootstrap, Topic = topic, Group = group, ScoresTopic = scores, AlertsTopic = Unique("a"), ModelFolder = fixture.ModelFolder, MaxRate = 500, SessionTimeoutMs = 3000 },
            log,
            cancel.Token);
        KafkaTestTools.ReadTopic(Bootstrap, scores, 1000);
        cancel.Cancel();
        var summary = await run.WaitAsync(TimeSpan.FromSeconds(120));

        Assert.InRange(summary.Scored, 1000, 4999);
        Assert.Equal(summary.Scored, KafkaTestTools.Committed(Bootstrap, topic, group).Values.Sum());
        var scored = KafkaTestTools.ReadScores(Bootstrap, scores, (int)summary.Scored);
        Assert.Equal(summary.Scored, scored.Select(s => s.TransactionId).Distinct().Count());
    }

    [Fact]
    public async Task ScoreProcess_KilledMidStreamAndRestarted_EveryRecordScoredDuplicatesOnlyUncommitted()
    {
        const int Records = 6000;
        string csv = Subset(Records);
        string topic = Unique("tx-kill"), scores = Unique("scores-kill"), group = Unique("g-kill");
        await FraudKafkaReplay.RunAsync(csv, Bootstrap, topic, null, TextWriter.Null, CancellationToken.None);
        string[] Args(params string[] extra) =>
        [
            "fraud", "score", "--kafka", Bootstrap, "--topic", topic, "--group", group, "--scores-topic", scores, "--alerts", Unique("alerts"),
            "--models", fixture.ModelFolder, "--session-timeout-ms", "3000", .. extra,
        ];

        // First process: throttled so it is surely mid-stream when killed.
        var (victim, victimOutput) = KafkaTestTools.StartHost(Args("--max-rate", "500"));
        var before = KafkaTestTools.ReadTopic(Bootstrap, scores, 1500, () => victim.HasExited);
        Assert.False(victim.HasExited, victimOutput.ToString());
        victim.Kill(entireProcessTree: true); // SIGKILL: no graceful commit
        await victim.WaitForExitAsync();
        var committedAtKill = KafkaTestTools.Committed(Bootstrap, topic, group);
        long remaining = Records - committedAtKill.Values.Sum();
        Assert.InRange(remaining, 1, Records);

        // Second process: resumes from the committed offsets and consumes exactly the rest.
        var (survivor, survivorOutput) = KafkaTestTools.StartHost(Args("--max-records", remaining.ToString(CultureInfo.InvariantCulture), "--idle-exit", "20"));
        await survivor.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(survivor.ExitCode == 0, survivorOutput.ToString());

        var input = KafkaTestTools.ReadTopic(Bootstrap, topic, Records)
            .ToDictionary(r => TransactionJson.Deserialize(r.Value).TransactionId, r => (r.Partition, r.Offset));
        var scored = KafkaTestTools.ReadScores(Bootstrap, scores, Records);
        Assert.Equal(input.Keys.Order(), scored.Select(s => s.TransactionId).Distinct().Order());
        var duplicates = scored.GroupBy(s => s.TransactionId).Where(g => g.Count() > 1).ToList();
        Assert.All(duplicates, d => Assert.Equal(2, d.Count()));
        Assert.All(duplicates, d =>
        {
            // Only records the killed process had not committed may be scored twice.
            var (partition, offset) = input[d.Key];
            Assert.True(offset >= committedAtKill[partition], $"tx {d.Key} at {partition}@{offset} was committed ({committedAtKill[partition]}) yet scored twice");
        });
        Assert.True(before.Count >= 1500);
    }
}
