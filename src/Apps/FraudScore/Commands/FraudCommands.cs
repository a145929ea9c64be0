using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Flow.Apps.FraudScore.Data;
using Flow.Apps.FraudScore.Models;
using Flow.Apps.FraudScore.Scoring;

namespace Flow.Apps.FraudScore.Commands;

/// <summary>
/// The <c>flow fraud</c> command (generate, train, score, replay, kafka-dev) and the fraud part of the
/// main-job demo.
/// </summary>
public static class FraudCommands
{
    /// <summary>Creates the <c>fraud</c> command with its subcommands.</summary>
    /// <returns>The command, ready to add to the root command.</returns>
    public static Command Create()
    {
        var command = new Command("fraud", "Fraud scoring: simulate transactions, train models, score from CSV or Kafka, replay CSV into Kafka, demo")
        {
            CreateGenerate(),
            CreateTrain(),
            CreateScore(),
            CreateReplay(),
            CreateKafkaDev(),
            CreateDemo(),
        };
        return command;
    }

    /// <summary>
    /// Creates the <c>kafka-dev</c> command: a Kafka-protocol broker on loopback (librdkafka's mock
    /// cluster) that prints <c>BOOTSTRAP=127.0.0.1:PORT</c> and runs until SIGTERM, Ctrl+C or end of stdin.
    /// </summary>
    /// <returns>The command.</returns>
    public static Command CreateKafkaDev() => KafkaCommands.CreateKafkaDev();

    /// <summary>
    /// The fraud part of the main-job demo on embedded defaults: simulates 60,000 transactions,
    /// trains LightGBM on the past, scores everything through the pipeline and prints the report.
    /// Needs no broker and no network.
    /// </summary>
    /// <param name="output">Receives the progress and the report.</param>
    /// <param name="cancellationToken">Cancels the demo.</param>
    /// <returns>0 on success.</returns>
    public static async Task<int> RunDemoAsync(TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        string folder = Path.Combine(Path.GetTempPath(), "flow-fraud-demo-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        try
        {
            string csv = Path.Combine(folder, "tx.csv");
            var watch = Stopwatch.StartNew();
            var (rows, fraud) = TransactionSimulator.WriteCsv(new SimulatorOptions { Rows = 60_000, Seed = 7 }, csv, cancellationToken);
            output.WriteLine(FormattableString.Invariant($"[fraud] simulated {rows:N0} transactions ({fraud:N0} fraudulent) in {watch.Elapsed.TotalSeconds:0.0} s"));
            var models = Path.Combine(folder, "models");
            await FraudTraining.RunAsync(
                new FraudTrainingSettings { InputPath = csv, OutputFolder = models, Kinds = [FraudModelKind.LightGbm], Trees = 100 },
                output,
                cancellationToken).ConfigureAwait(false);
            await FraudCsvScoring.RunAsync(
                new FraudScoreSettings { InputPath = csv, ModelFolder = models, AlertsPath = Path.Combine(folder, "alerts.csv") },
                output,
                cancellationToken).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Command CreateDemo()
    {
        var command = new Command("demo", "The fraud part of the main demo: simulate 60,000 transactions, train LightGBM, score them, print the report");
        command.SetAction((_, cancellationToken) => RunDemoAsync(Console.Out, cancellationToken));
        return command;
    }

    private static Command CreateGenerate()
    {
        var rows = Positive<long>("--rows", "Transactions to generate", 1_000_000);
        var seed = new Option<int>("--seed") { Description = "Random seed (default 7)", DefaultValueFactory = _ => 7 };
        var cards = PositiveOrNone(new Option<int?>("--cards") { Description = "Cards (default: one per 40 rows)" });
        var output = new Option<string>("--out") { Description = "The CSV file to write", DefaultValueFactory = _ => "tx.csv" };
        var command = new Command("generate", "Simulate labelled card transactions (card testing, account takeover, high velocity, merchant compromise) into a CSV")
        {
            rows, seed, cards, output,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var watch = Stopwatch.StartNew();
            string path = parse.GetValue(output)!;
            var (written, fraud) = TransactionSimulator.WriteCsv(
                new SimulatorOptions { Rows = parse.GetValue(rows), Seed = parse.GetValue(seed), Cards = parse.GetValue(cards) },
                path,
                cancellationToken);
            Console.Out.WriteLine(FormattableString.Invariant($"wrote {written:N0} transactions ({fraud:N0} fraudulent, {fraud / (double)written:P2}) to {path} in {watch.Elapsed.TotalSeconds:0.00} s"));
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command CreateTrain()
    {
        var input = new Option<string>("--csv") { Description = "Labelled transaction CSV, oldest first", DefaultValueFactory = _ => "tx.csv" };
        var output = new Option<string>("--out") { Description = "Model folder to write", DefaultValueFactory = _ => "models/fraud" };
        var kinds = new Option<string[]>("--models") { Description = "Model kinds to train: lightgbm, fasttree, mlp (default all)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [.. FraudModelKind.All] };
        kinds.AcceptOnlyFromAmong([.. FraudModelKind.All]);
        var precision = new Option<double>("--target-precision") { Description = "Precision the alert threshold is chosen for, in (0, 1] (default 0.9)", DefaultValueFactory = _ => 0.9 };
        precision.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is not (> 0 and <= 1))
            {
                result.AddError("--target-precision must be in (0, 1]");
            }
        });
        var trees = Positive<int>("--trees", "Boosting rounds of the tree models", 200);
        var epochs = Positive<int>("--epochs", "Epochs of the MLP", 3);
        var arff = new Option<string?>("--arff") { Description = "Instead: train and evaluate LightGBM on a binary-class ARFF file (e.g. Weka's credit-g.arff)" };
        var rejects = new Option<string?>("--dead-letters") { Description = "Dead-letter file for malformed rows (default <csv>.rejected.txt)" };
        var command = new Command("train", "Train LightGBM, FastTree and an MLP on per-card features with a time-based split; report ROC AUC, PR AUC, precision and recall")
        {
            input, output, kinds, precision, trees, epochs, arff, rejects,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(arff) is { } arffPath)
            {
                return await ArffSanityCheck.RunAsync(arffPath, Console.Out, cancellationToken).ConfigureAwait(false);
            }

            await FraudTraining.RunAsync(
                new FraudTrainingSettings
                {
                    InputPath = parse.GetValue(input)!,
                    RejectPath = parse.GetValue(rejects),
                    OutputFolder = parse.GetValue(output)!,
                    Kinds = parse.GetValue(kinds)!,
                    TargetPrecision = parse.GetValue(precision),
                    Trees = parse.GetValue(trees),
                    Epochs = parse.GetValue(epochs),
                },
                Console.Out,
                cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command CreateScore()
    {
        var csv = new Option<string?>("--csv") { Description = "Score this transaction CSV" };
        var kafka = new Option<string?>("--kafka") { Description = "Score from Kafka: bootstrap servers (host:port)" };
        var topic = new Option<string>("--topic") { Description = "Kafka topic of transactions", DefaultValueFactory = _ => "tx" };
        var group = new Option<string>("--group") { Description = "Kafka consumer group", DefaultValueFactory = _ => "fraud-score" };
        var alertsTopic = new Option<string>("--alerts") { Description = "Kafka: topic for alerts; CSV: alerts file", DefaultValueFactory = _ => "alerts" };
        var scoresTopic = new Option<string?>("--scores-topic") { Description = "Kafka: also produce every score to this topic" };
        var models = new Option<string>("--models") { Description = "Model folder from 'flow fraud train'", DefaultValueFactory = _ => "models/fraud" };
        var kind = new Option<string>("--model-kind") { Description = "lightgbm, fasttree or mlp", DefaultValueFactory = _ => FraudModelKind.LightGbm };
        kind.AcceptOnlyFromAmong([.. FraudModelKind.All]);
        var engine = new Option<string>("--engine") { Description = "Runtime of the tree models: onnx (ONNX Runtime, one single-threaded session per lane, over the .onnx that 'fraud train' writes) or mlnet (ML.NET PredictionEngine); the mlp always runs on Flow.Neural", DefaultValueFactory = _ => FraudScoringEngine.Onnx };
        engine.AcceptOnlyFromAmong([.. FraudScoringEngine.All]);
        var threshold = new Option<float?>("--threshold") { Description = "Override the trained alert threshold, in [0, 1]" };
        threshold.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<float?>() is { } value && value is not (>= 0 and <= 1))
            {
                result.AddError("--threshold must be in [0, 1]");
            }
        });
        var scored = new Option<string?>("--out") { Description = "CSV: scored output file" };
        var rejects = new Option<string?>("--dead-letters") { Description = "CSV: dead-letter file for malformed rows (default <csv>.rejected.txt)" };
        var speed = PositiveOrNone(new Option<double?>("--speed") { Description = "CSV: replay at this multiple of event time (default: as fast as possible)" });
        var dop = Positive<int>("--dop", "Feature partitions and scoring replicas", 2);
        var batch = Positive<int>("--batch", "Transactions per scoring batch (CSV: rows per chunk)", new FraudScoringOptions().BatchSize);
        var maxRecords = PositiveOrNone(new Option<long?>("--max-records") { Description = "Kafka: stop after this many records (default: run until Ctrl+C/SIGTERM)" });
        var idle = PositiveOrNone(new Option<double?>("--idle-exit") { Description = "Kafka: stop after this many seconds without records" });
        var maxRate = PositiveOrNone(new Option<double?>("--max-rate") { Description = "Kafka: consume at most this many records per second" });
        var sessionTimeout = Positive<int>("--session-timeout-ms", "Kafka: group session timeout", 6000);
        var live = new Option<bool>("--live") { Description = "Show the live view while running (default true; plain lines when output is redirected)", DefaultValueFactory = _ => true };
        var command = new Command("score", "Score transactions from a CSV file or a Kafka topic: per-card features, model, threshold, alerts")
        {
            csv, kafka, topic, group, alertsTopic, scoresTopic, models, kind, engine, threshold, scored, rejects, speed, dop, batch, maxRecords, idle, maxRate, sessionTimeout, live,
        };
        Option[] csvOnly = [scored, rejects, speed];
        Option[] kafkaOnly = [topic, group, scoresTopic, maxRecords, idle, maxRate, sessionTimeout];
        command.Validators.Add(result =>
        {
            bool fromCsv = result.GetResult(csv) is not null;
            bool fromKafka = result.GetResult(kafka) is not null;
            if (fromCsv == fromKafka)
            {
                result.AddError(fromCsv ? "give either --csv FILE or --kafka HOST:PORT, not both" : "pass --csv FILE or --kafka HOST:PORT");
                return;
            }

            foreach (var option in fromCsv ? kafkaOnly : csvOnly)
            {
                if (result.GetResult(option) is { Implicit: false })
                {
                    result.AddError($"{option.Name} applies to {(fromCsv ? "--kafka" : "--csv")} only");
                }
            }
        });

        // A missing or malformed file surfaces as an exception that names it; the flow CLI prints it as one line (exit code 2).
        command.SetAction(ScoreAsync);
        return command;

        async Task<int> ScoreAsync(ParseResult parse, CancellationToken cancellationToken)
        {
            var pipeline = new FraudScoringOptions { DegreeOfParallelism = parse.GetValue(dop), BatchSize = parse.GetValue(batch) };
            if (parse.GetValue(kafka) is { } bootstrap)
            {
                return await KafkaCommands.ScoreAsync(
                    new KafkaScoreSettings
                    {
                        BootstrapServers = bootstrap,
                        Topic = parse.GetValue(topic)!,
                        Group = parse.GetValue(group)!,
                        AlertsTopic = parse.GetValue(alertsTopic)!,
                        ScoresTopic = parse.GetValue(scoresTopic),
                        ModelFolder = parse.GetValue(models)!,
                        ModelKind = parse.GetValue(kind)!,
                        Engine = parse.GetValue(engine)!,
                        Threshold = parse.GetValue(threshold),
                        MaxRecords = parse.GetValue(maxRecords),
                        IdleExit = parse.GetValue(idle) is { } s ? TimeSpan.FromSeconds(s) : null,
                        MaxRate = parse.GetValue(maxRate),
                        SessionTimeoutMs = parse.GetValue(sessionTimeout),
                        Live = parse.GetValue(live),
                        Pipeline = pipeline,
                    },
                    Console.Out,
                    cancellationToken).ConfigureAwait(false);
            }

            string csvPath = parse.GetValue(csv)!;
            await FraudCsvScoring.RunAsync(
                new FraudScoreSettings
                {
                    InputPath = csvPath,
                    ModelFolder = parse.GetValue(models)!,
                    ModelKind = parse.GetValue(kind)!,
                    Engine = parse.GetValue(engine)!,
                    Threshold = parse.GetValue(threshold),
                    ScoredPath = parse.GetValue(scored),
                    AlertsPath = parse.GetResult(alertsTopic) is null ? null : parse.GetValue(alertsTopic),
                    RejectPath = parse.GetValue(rejects),
                    ReplaySpeed = parse.GetValue(speed),
                    Pipeline = pipeline,
                    Live = parse.GetValue(live),
                },
                Console.Out,
                cancellationToken).ConfigureAwait(false);
            return 0;
        }
    }

    private static Command CreateReplay() => KafkaCommands.CreateReplay();

    /// <summary>Adds a check that an optional number, when given, is positive (and finite).</summary>
    internal static Option<T?> PositiveOrNone<T>(Option<T?> option)
        where T : struct, System.Numerics.INumber<T>
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<T?>() is { } value && (value <= T.Zero || !T.IsFinite(value)))
            {
                result.AddError($"{option.Name} must be a positive number");
            }
        });
        return option;
    }

    internal static Option<T> Positive<T>(string name, string description, T defaultValue)
        where T : struct, System.Numerics.INumber<T>
    {
        var option = new Option<T>(name) { Description = string.Create(CultureInfo.InvariantCulture, $"{description} (default {defaultValue})"), DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<T>() <= T.Zero)
            {
                result.AddError($"{name} must be a positive number");
            }
        });
        return option;
    }
}
