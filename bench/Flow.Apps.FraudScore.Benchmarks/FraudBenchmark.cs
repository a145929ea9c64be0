using System.Diagnostics;
using System.Globalization;
using Flow.Apps.FraudScore.Data;
using Flow.Apps.FraudScore.Features;
using Flow.Apps.FraudScore.Models;
using Flow.Apps.FraudScore.Scoring;
using Flow.Pipeline;
using Flow.Stages.Kafka;
using Flow.Stages.Tabular.Csv;

namespace Flow.Apps.FraudScore.Benchmarks;

/// <summary>
/// Every figure of one run, measured in the same process on the same data, so ratios compare like
/// with like on a noisy shared machine: CSV read alone, a sequential loop (read + features + one
/// PredictionEngine, no pipeline), the pipeline at DOP 1 and 2, Kafka, and latency at a paced rate.
/// </summary>
internal sealed class FraudBenchmark : IAsyncDisposable
{
    private readonly string _folder;
    private readonly string _csv;
    private readonly string _models;
    private readonly int _rows;

    private FraudBenchmark(string folder, string csv, string models, int rows)
    {
        _folder = folder;
        _csv = csv;
        _models = models;
        _rows = rows;
    }

    public static async Task<FraudBenchmark> PrepareAsync(int rows, TextWriter output)
    {
        string folder = Directory.CreateTempSubdirectory("flow-fraud-bench-").FullName;
        string csv = Path.Combine(folder, "tx.csv");
        var watch = Stopwatch.StartNew();
        TransactionSimulator.WriteCsv(new SimulatorOptions { Rows = rows, Seed = 7 }, csv);
        output.WriteLine(FormattableString.Invariant($"generate: {rows:N0} rows in {watch.Elapsed.TotalSeconds:0.00} s ({rows / watch.Elapsed.TotalSeconds:N0} rows/s)"));
        string models = Path.Combine(folder, "models");
        var training = (await TransactionFile.ReadAllAsync(csv).ConfigureAwait(false)).Take(Math.Min(rows, 200_000)).ToList();
        FraudTraining.Train(training, new FraudTrainingSettings { OutputFolder = models, Kinds = [FraudModelKind.LightGbm], Trees = 100 }, output, CancellationToken.None);
        return new FraudBenchmark(folder, csv, models, rows);
    }

    public async Task RunKafkaOnlyAsync(TextWriter output)
    {
        double rate = await KafkaAsync().ConfigureAwait(false);
        output.WriteLine(FormattableString.Invariant($"| Kafka (mock broker, {KafkaRows:N0} records, from the first record on; group join took {KafkaJoin.TotalSeconds:0.0} s) → features → LightGBM → alerts topic, DOP 2 | {rate:N0} |"));
    }

    public async Task RunAsync(int repeats, bool kafka, TextWriter output)
    {
        var results = new Dictionary<string, List<double>>();
        void Add(string name, double value)
        {
            if (!results.TryGetValue(name, out var list))
            {
                results[name] = list = [];
            }

            list.Add(value);
        }

        TimeSpan p50 = TimeSpan.Zero, p99 = TimeSpan.Zero;
        var transactions = await TransactionFile.ReadAllAsync(_csv).ConfigureAwait(false);
        for (int r = 0; r < repeats; r++)
        {
            var (features, featureRate) = FeaturesOnly(transactions);
            Add("features only (in memory, one thread)", featureRate);
            Add("LightGBM PredictionEngine only (one thread)", EngineOnly(features));
            Add("LightGBM batched Transform only (one thread)", TransformOnly(features));
            Add("csv read only", await CsvOnlyAsync().ConfigureAwait(false));
            Add("sequential loop (no pipeline)", await SequentialAsync().ConfigureAwait(false));
            Add("pipeline DOP 1", await PipelineAsync(1).ConfigureAwait(false));
            Add("CPU µs per event, DOP 1", LastCpuMicrosecondsPerEvent);
            Add("pipeline DOP 2", await PipelineAsync(2).ConfigureAwait(false));
            Add("CPU µs per event, DOP 2", LastCpuMicrosecondsPerEvent);
            output.WriteLine(FormattableString.Invariant($"repeat {r + 1}/{repeats}: {string.Join(", ", results.Select(p => $"{p.Key} {p.Value[^1]:N1}"))}"));
        }

        // Latency at a paced 50k events/s (×speed of event time) over at most 500k rows.
        var paced = await PacedAsync(50_000).ConfigureAwait(false);
        p50 = paced.P50;
        p99 = paced.P99;

        double kafkaRate = double.NaN;
        if (kafka)
        {
            kafkaRate = await KafkaAsync().ConfigureAwait(false);
        }

        output.WriteLine();
        output.WriteLine($"| measurement ({_rows:N0} rows, median of {repeats}) | events/s | ratio |");
        output.WriteLine("|---|---:|---:|");
        double dop1 = Median(results["pipeline DOP 1"]);
        double sequential = Median(results["sequential loop (no pipeline)"]);
        foreach (var (name, values) in results)
        {
            string ratio = name switch
            {
                "pipeline DOP 2" => FormattableString.Invariant($"{Median(values) / dop1:0.00}× DOP 1"),
                "sequential loop (no pipeline)" => "baseline",
                "pipeline DOP 1" => FormattableString.Invariant($"{Median(values) / sequential:0.00}× sequential"),
                _ => string.Empty,
            };
            string value = name.StartsWith("CPU", StringComparison.Ordinal) ? FormattableString.Invariant($"{Median(values):0.0} µs") : FormattableString.Invariant($"{Median(values):N0}");
            output.WriteLine(FormattableString.Invariant($"| {name} | {value} | {ratio} |"));
        }

        if (kafka)
        {
            output.WriteLine(FormattableString.Invariant($"| Kafka (mock broker, {KafkaRows:N0} records, from the first record on; group join took {KafkaJoin.TotalSeconds:0.0} s) → features → LightGBM → alerts topic, DOP 2, one run | {kafkaRate:N0} | {kafkaRate / Median(results["pipeline DOP 2"]):0.00}× CSV DOP 2 |"));
        }

        output.WriteLine(FormattableString.Invariant($"| paced at {paced.Rate:N0} events/s: end-to-end latency p50 {p50.TotalMilliseconds:0.0} ms, p99 {p99.TotalMilliseconds:0.0} ms | {paced.Achieved:N0} | |"));
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    private static (float[][] Features, double Rate) FeaturesOnly(List<Transaction> transactions)
    {
        var extractor = new CardFeatureExtractor();
        var features = new float[transactions.Count][];
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < features.Length; i++)
        {
            features[i] = extractor.Next(transactions[i]);
        }

        return (features, features.Length / watch.Elapsed.TotalSeconds);
    }

    private double EngineOnly(float[][] features)
    {
        var (model, _) = FraudTraining.LoadModel(_models, FraudModelKind.LightGbm);
        using var session = model.CreateSession();
        var probabilities = new float[256];
        var watch = Stopwatch.StartNew();
        for (int start = 0; start < features.Length; start += 256)
        {
            var chunk = new ArraySegment<float[]>(features, start, Math.Min(256, features.Length - start));
            session.Predict(chunk, probabilities);
        }

        return features.Length / watch.Elapsed.TotalSeconds;
    }

    private double TransformOnly(float[][] features)
    {
        var model = Flow.Stages.Tabular.Scoring.MlNetBinaryClassifier.Load("lightgbm", Path.Combine(_models, "lightgbm.zip"), FraudFeatures.Count);
        var watch = Stopwatch.StartNew();
        for (int start = 0; start < features.Length; start += 4096)
        {
            model.PredictAll(new ArraySegment<float[]>(features, start, Math.Min(4096, features.Length - start)));
        }

        return features.Length / watch.Elapsed.TotalSeconds;
    }

    private async Task<double> CsvOnlyAsync()
    {
        using var source = TransactionFile.OpenSource(new CsvSourceOptions { Path = _csv });
        var builder = new PipelineBuilder(new PipelineOptions { Name = "csv-only", MetricsEnabled = false });
        long count = 0;
        builder.From(source, "csv").To(_ => count++);
        var watch = Stopwatch.StartNew();
        await builder.Build().RunAsync().ConfigureAwait(false);
        return count / watch.Elapsed.TotalSeconds;
    }

    private async Task<double> SequentialAsync()
    {
        var (model, threshold) = FraudTraining.LoadModel(_models, FraudModelKind.LightGbm);
        var extractor = new CardFeatureExtractor();
        using var session = model.CreateSession();
        var probability = new float[1];
        long alerts = 0;
        using var source = TransactionFile.OpenSource(new CsvSourceOptions { Path = _csv });
        var builder = new PipelineBuilder(new PipelineOptions { Name = "sequential", MetricsEnabled = false });
        var one = new float[1][];

        // The CSV reader on its own thread, and everything else in one sink on one thread: no partitions, no batches.
        builder.From(source, "csv").To(tx =>
        {
            one[0] = extractor.Next(tx);
            session.Predict(one, probability);
            alerts += probability[0] >= threshold ? 1 : 0;
        });
        var watch = Stopwatch.StartNew();
        await builder.Build().RunAsync().ConfigureAwait(false);
        return _rows / watch.Elapsed.TotalSeconds;
    }

    private async Task<double> PipelineAsync(int dop)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var summary = await FraudCsvScoring.RunAsync(
            new FraudScoreSettings { InputPath = _csv, ModelFolder = _models, RejectPath = Path.Combine(_folder, "rejects.txt"), Pipeline = new FraudScoringOptions { DegreeOfParallelism = dop } },
            TextWriter.Null,
            CancellationToken.None).ConfigureAwait(false);
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        LastCpuMicrosecondsPerEvent = used.TotalMicroseconds / summary.Scored;
        return summary.Scored / summary.Pipeline.Elapsed.TotalSeconds;
    }

    private double LastCpuMicrosecondsPerEvent { get; set; }

    private async Task<(double Rate, double Achieved, TimeSpan P50, TimeSpan P99)> PacedAsync(double eventsPerSecond)
    {
        // Take at most 10 s worth of events; replay speed = wanted rate / the data's own event rate.
        int take = (int)Math.Min(_rows, eventsPerSecond * 10);
        string subset = Path.Combine(_folder, "paced.csv");
        await File.WriteAllLinesAsync(subset, File.ReadLines(_csv).Take(take + 1)).ConfigureAwait(false);
        var rows = await TransactionFile.ReadAllAsync(subset).ConfigureAwait(false);
        double span = (rows[^1].Timestamp - rows[0].Timestamp).TotalSeconds;
        double speed = eventsPerSecond / (rows.Count / span);
        var (model, threshold) = FraudTraining.LoadModel(_models, FraudModelKind.LightGbm);
        var summary = await FraudCsvScoring.RunAsync(
            new FraudScoreSettings { InputPath = subset, RejectPath = Path.Combine(_folder, "rejects.txt"), ReplaySpeed = speed, Pipeline = new FraudScoringOptions { DegreeOfParallelism = 2 } },
            model,
            threshold,
            null,
            CancellationToken.None).ConfigureAwait(false);
        var sink = summary.Pipeline["alerts"];
        return (eventsPerSecond, summary.EventsPerSecond, sink.EndToEndP50, sink.EndToEndP99);
    }

    private async Task<double> KafkaAsync()
    {
        // The mock cluster keeps at most 5 MiB per partition (older data is dropped silently), so use 60k rows.
        KafkaRows = Math.Min(_rows, 60_000);
        string subset = Path.Combine(_folder, "kafka.csv");
        await File.WriteAllLinesAsync(subset, File.ReadLines(_csv).Take(KafkaRows + 1)).ConfigureAwait(false);
        using var broker = KafkaDevBroker.Start();
        string topic = "bench-tx";
        await FraudKafkaReplay.RunAsync(subset, broker.BootstrapServers, topic, null, TextWriter.Null, CancellationToken.None).ConfigureAwait(false);
        var summary = await FraudKafkaScoring.RunAsync(
            new KafkaScoreSettings { BootstrapServers = broker.BootstrapServers, Topic = topic, Group = "bench", ModelFolder = _models, MaxRecords = KafkaRows, IdleExit = TimeSpan.FromSeconds(30) },
            TextWriter.Null,
            CancellationToken.None).ConfigureAwait(false);
        KafkaJoin = summary.TimeToFirstRecord ?? TimeSpan.Zero;
        return summary.EventsPerSecondAfterFirstRecord;
    }

    private TimeSpan KafkaJoin { get; set; }

    private int KafkaRows { get; set; }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
