using System.Globalization;
using Flow.Apps.FraudScore.Data;
using Flow.Pipeline;
using Flow.Stages.Kafka;
using Flow.Stages.Tabular.Csv;

namespace Flow.Apps.FraudScore.Scoring;

/// <summary><c>flow fraud replay</c>: a transaction CSV into a Kafka topic as JSON, keyed by card (so one card's transactions stay in one partition, in order).</summary>
public static class FraudKafkaReplay
{
    /// <summary>Replays a CSV file into a topic.</summary>
    /// <param name="csvPath">The transaction CSV.</param>
    /// <param name="bootstrapServers">The brokers.</param>
    /// <param name="topic">The topic.</param>
    /// <param name="speed">Replay at this multiple of event time; <see langword="null"/> for as fast as possible.</param>
    /// <param name="output">Receives the report.</param>
    /// <param name="cancellationToken">Stops the replay.</param>
    /// <returns>How many records were produced and how many rows were malformed.</returns>
    public static async Task<(long Produced, long Rejected)> RunAsync(string csvPath, string bootstrapServers, string topic, double? speed, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var source = TransactionFile.OpenSource(new CsvSourceOptions { Path = csvPath, RejectPath = csvPath + ".rejected.txt", ReplaySpeed = speed });
        using var sink = new KafkaProducerSink<Transaction>(
            new KafkaProducerSinkOptions { BootstrapServers = bootstrapServers },
            tx => [new KafkaOutboundMessage(topic, tx.CardId.ToString(CultureInfo.InvariantCulture), TransactionJson.Serialize(tx))]);
        var builder = new PipelineBuilder(new PipelineOptions { Name = "fraud-replay" });
        builder.From(source, "csv").To(sink, new StageOptions { Name = "produce", BoundedCapacity = 4096 });
        var result = await builder.Build().RunAsync(cancellationToken).ConfigureAwait(false);
        output.WriteLine(FormattableString.Invariant($"replayed {sink.Produced:N0} transactions from {csvPath} to topic '{topic}' at {bootstrapServers} ({source.RowsRejected:N0} malformed rows dead-lettered to {csvPath}.rejected.txt)"));
        output.Write(result.FormatReport());
        return (sink.Produced, source.RowsRejected);
    }
}
