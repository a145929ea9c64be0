using Flow.Apps.FraudScore.Data;
using Flow.Apps.FraudScore.Features;
using Flow.Apps.FraudScore.Models;
using Flow.Pipeline;
using Flow.Stages.Kafka;
using Flow.Stages.Tabular.Scoring;

namespace Flow.Apps.FraudScore.Scoring;

/// <summary>
/// <c>flow fraud score --kafka</c>: consume transactions, score them, produce alerts (and optionally
/// every score), and commit each record's offset only after its outputs were delivered.
/// </summary>
public static class FraudKafkaScoring
{
    /// <summary>Runs until the record limit, the idle limit or cancellation.</summary>
    /// <param name="settings">Brokers, topics, group, model and stop conditions.</param>
    /// <param name="output">Receives events and the report.</param>
    /// <param name="cancellationToken">Stops the run gracefully (what was read is drained and committed).</param>
    /// <returns>The summary.</returns>
    public static async Task<FraudScoreSummary> RunAsync(KafkaScoreSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        var (model, threshold) = FraudTraining.LoadModel(settings.ModelFolder, settings.ModelKind, FraudScoringEngine.For(settings.ModelKind, settings.Engine));
        threshold = settings.Threshold ?? threshold;
        var log = TextWriter.Synchronized(output);
        var source = new KafkaSource(
            new KafkaSourceOptions
            {
                BootstrapServers = settings.BootstrapServers,
                Topic = settings.Topic,
                GroupId = settings.Group,
                MaxRecords = settings.MaxRecords,
                IdleTimeout = settings.IdleExit,
                SessionTimeoutMs = settings.SessionTimeoutMs,
                MaxRecordsPerSecond = settings.MaxRate,
            },
            line => log.WriteLine("[kafka] " + line));
        // The counters below are touched by the single produce worker, except 'malformed' (decode worker).
        long malformed = 0, alerts = 0, scored = 0, labelled = 0, truePositives = 0;
        using var sink = new KafkaProducerSink<Scored<Featured<KafkaTransaction>>>(
            new KafkaProducerSinkOptions { BootstrapServers = settings.BootstrapServers },
            item =>
            {
                var tx = item.Item.Transaction;
                bool alert = item.Probability >= threshold;
                scored++;
                labelled += tx.IsFraud ? 1 : 0;

                if (!alert && settings.ScoresTopic is null)
                {
                    return [];
                }

                string key = tx.CardId.ToString(System.Globalization.CultureInfo.InvariantCulture);
                byte[] value = TransactionJson.Serialize(new TransactionScore(tx.TransactionId, tx.CardId, tx.Timestamp, tx.Amount, item.Probability, alert, model.Name));
                var messages = new List<KafkaOutboundMessage>(2);
                if (alert)
                {
                    alerts++;
                    truePositives += tx.IsFraud ? 1 : 0;
                    messages.Add(new KafkaOutboundMessage(settings.AlertsTopic, key, value));
                }

                if (settings.ScoresTopic is { } scoresTopic)
                {
                    messages.Add(new KafkaOutboundMessage(scoresTopic, key, value));
                }

                return messages;
            },
            item => item.Item.Item.Record.Acknowledge());
        PipelineResult result;
        try
        {
            var builder = new PipelineBuilder(new PipelineOptions { Name = "fraud-score-kafka" });
            var records = builder.From(source, "kafka");
            var transactions = records.ThenMany<KafkaTransaction>(
                record =>
                {
                    try
                    {
                        return [new KafkaTransaction(record, TransactionJson.Deserialize(record.Value))];
                    }
                    catch (FormatException e)
                    {
                        // A poison record is dead-lettered to the log and counts as handled, so it does not block commits.
                        Interlocked.Increment(ref malformed);
                        log.WriteLine($"[dead-letter] {record}: {e.Message}");
                        record.Acknowledge();
                        return [];
                    }
                },
                new StageOptions { Name = "decode", BoundedCapacity = settings.Pipeline.BoundedCapacity });
            FraudScoringGraph.AddScoring(transactions, item => item.Transaction, model, settings.Pipeline)
                .Unbatch(new StageOptions { Name = "unbatch", BoundedCapacity = settings.Pipeline.BoundedCapacity })
                .To(sink, new StageOptions { Name = "produce", BoundedCapacity = settings.Pipeline.BoundedCapacity });
            result = await FraudLiveView.RunAsync(builder.Build(), settings.Live ? output : null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }

        var summary = new FraudScoreSummary(model.Name, threshold, source.Consumed, malformed, scored, alerts, labelled, truePositives, result) { TimeToFirstRecord = source.TimeToFirstRecord };
        output.WriteLine(summary.FormatReport());
        return summary;
    }
}
