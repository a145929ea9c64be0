using System.CommandLine;
using Flow.Apps.FraudScore.Scoring;
using Flow.Stages.Kafka;

namespace Flow.Apps.FraudScore.Commands;

/// <summary>The Kafka-facing subcommands: replay, kafka-dev, and the Kafka path of score.</summary>
internal static class KafkaCommands
{
    public static Command CreateKafkaDev()
    {
        var brokers = FraudCommands.Positive<int>("--brokers", "Mock brokers", 1);
        var ignoreStdin = new Option<bool>("--ignore-stdin") { Description = "Do not stop at end of standard input (run until SIGTERM/Ctrl+C)" };
        var command = new Command("kafka-dev", "Run a Kafka-protocol broker on 127.0.0.1 (librdkafka mock cluster) for tests and demos; prints BOOTSTRAP=host:port")
        {
            brokers, ignoreStdin,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var broker = KafkaDevBroker.Start(parse.GetValue(brokers));
            Console.Out.WriteLine("BOOTSTRAP=" + broker.BootstrapServers);
            Console.Out.Flush();
            try
            {
                if (parse.GetValue(ignoreStdin))
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    // Stops at end of stdin (the parent closed the pipe or exited) or on SIGTERM/Ctrl+C.
                    await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        });
        return command;
    }

    public static Command CreateReplay()
    {
        var csv = new Option<string>("--csv") { Description = "Transaction CSV to replay", DefaultValueFactory = _ => "tx.csv" };
        var kafka = new Option<string>("--kafka") { Description = "Bootstrap servers (host:port)", Required = true };
        var topic = new Option<string>("--topic") { Description = "Topic to produce to", DefaultValueFactory = _ => "tx" };
        var speed = FraudCommands.PositiveOrNone(new Option<double?>("--speed") { Description = "Replay at this multiple of event time (default: as fast as possible)" });
        var command = new Command("replay", "Replay a transaction CSV into a Kafka topic (JSON values, keyed by card, idempotent producer)")
        {
            csv, kafka, topic, speed,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await FraudKafkaReplay.RunAsync(parse.GetValue(csv)!, parse.GetValue(kafka)!, parse.GetValue(topic)!, parse.GetValue(speed), Console.Out, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    public static async Task<int> ScoreAsync(KafkaScoreSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        await FraudKafkaScoring.RunAsync(settings, output, cancellationToken).ConfigureAwait(false);
        return 0;
    }
}
