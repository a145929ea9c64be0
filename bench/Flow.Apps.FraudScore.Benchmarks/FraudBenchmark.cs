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
/// model call per chunk on one thread, no lanes), the pipeline at DOP 1 and 2, Kafka, and latency at a paced rate.
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

    /// <summary>The model is trained on the time split of the first this many rows (default 200,000).</summary>
    public static int TrainingRows { get; set; } = 200_000;

    /// <summary>The runtime that serves the tree model (<c>--engine onnx|mlnet</c>); the command's default.</summary>
    public static string Engine { get; set; } = new Flow.Apps.FraudScore.Scoring.FraudScoreSettings().Engine;

    /// <summary>Uses an existing CSV and model folder (for example from <c>flow fraud generate</c> / <c>train</c>) instead of generating and training.</summary>
    public static FraudBenchmark UseExisting(string csv, string models, string folder, int chunkSize, int capacity)
    {
        int rows = File.ReadLines(csv).Count() - 1;
        return new FraudBenchmark(folder, csv, models, rows) { ChunkSize = chunkSize, Capacity = capacity };
    }

    public static async Task<FraudBenchmark> PrepareAsync(int rows, int chunkSize, int capacity, int trees, TextWriter output)
    {
        string folder = Directory.CreateTempSubdirectory("flow-fraud-bench-").FullName;
        string csv = Path.Combine(folder, "tx.csv");
        var watch = Stopwatch.StartNew();
        TransactionSimulator.WriteCsv(new SimulatorOptions { Rows = rows, Seed = 7 }, csv);
        output.WriteLine(FormattableString.Invariant($"generate: {rows:N0} rows in {watch.Elapsed.TotalSeconds:0.00} s ({rows / watch.Elapsed.TotalSeconds:N0} rows/s)"));
        string models = Path.Combine(folder, "models");
        var training = (await TransactionFile.ReadAllAsync(csv).ConfigureAwait(false)).Take(Math.Min(rows, TrainingRows)).ToList();
        FraudTraining.Train(training, new FraudTrainingSettings { OutputFolder = models, Kinds = [FraudModelKind.LightGbm], Trees = trees }, output, CancellationToken.None);
        return new FraudBenchmark(folder, csv, models, rows) { ChunkSize = chunkSize, Capacity = capacity };
    }

    public async Task RunKafkaOnlyAsync(TextWriter output)
    {
        double rate = await KafkaAsync().ConfigureAwait(false);
        output.WriteLine(FormattableString.Invariant($"| Kafka (mock broker, {KafkaRows:N0} records, from the first record on; group join took {KafkaJoin.TotalSeconds:0.0} s) → features → LightGBM → alerts topic, DOP 2 | {rate:N0} |"));
    }

    /// <summary>Rows per chunk of the chunked CSV pipeline (<see cref="FraudScoringOptions.BatchSize"/>).</summary>
    public int ChunkSize { get; init; } = new FraudScoringOptions().BatchSize;

    /// <summary>The queue length in transactions (<see cref="FraudScoringOptions.BoundedCapacity"/>).</summary>
    public int Capacity { get; init; } = new FraudScoringOptions().BoundedCapacity;

    /// <summary>Only the chunked CSV read and the CSV pipeline at the given DOPs, alternating, <paramref name="repeats"/> times (for profiling and A/B runs).</summary>
    public async Task RunPipelineOnlyAsync(IReadOnlyList<int> dops, int repeats, bool report, TextWriter output)
    {
        for (int r = 0; r < repeats; r++)
        {
            output.WriteLine(FormattableString.Invariant($"csv read only, chunks of {ChunkSize}: {await CsvChunksOnlyAsync().ConfigureAwait(false):N0} rows/s"));
            foreach (int dop in dops)
            {
                long switches = InvoluntaryContextSwitches();
                double rate = await PipelineAsync(dop, report ? output : null).ConfigureAwait(false);
                output.WriteLine(FormattableString.Invariant($"pipeline DOP {dop}, chunks of {ChunkSize}: {rate:N0} events/s, {LastCpuMicrosecondsPerEvent:0.00} µs CPU per event, {InvoluntaryContextSwitches() - switches:N0} involuntary context switches"));
            }
        }
    }

    /// <summary>Only the model on in-memory feature vectors, one thread then two, <paramref name="repeats"/> times (the scaling ceiling of the expensive stage, for A/B runs).</summary>
    public async Task RunModelOnlyAsync(int repeats, TextWriter output)
    {
        var transactions = await TransactionFile.ReadAllAsync(_csv).ConfigureAwait(false);
        var (features, _) = FeaturesOnly(transactions);
        transactions.Clear();
        for (int r = 0; r < repeats; r++)
        {
            CollectPreviousRuns();
            var one = EngineOnly(features);
            CollectPreviousRuns();
            double two = EnginesInParallel(features, 2);
            output.WriteLine(FormattableString.Invariant($"model only, {Engine} engine: 1 thread {one.Rate:N0} rows/s ({one.CpuMicrosecondsPerRow:0.00} µs CPU per row), 2 threads {two:N0} rows/s ({two / one.Rate:0.00}×)"));
        }
    }

    /// <summary>Only the paced latency run, <paramref name="repeats"/> times.</summary>
    public async Task RunPacedOnlyAsync(int repeats, TextWriter output)
    {
        for (int r = 0; r < repeats; r++)
        {
            var paced = await PacedAsync(50_000).ConfigureAwait(false);
            output.WriteLine(FormattableString.Invariant($"paced {paced.Rate:N0}/s ({paced.Achieved:N0} achieved), {paced.Events:N0} events: p50 {paced.P50.TotalMilliseconds:0.0} ms, p99 {paced.P99.TotalMilliseconds:0.0} ms, max {paced.Max.TotalMilliseconds:0.0} ms; after the first second p99 {paced.P99AfterFirstSecond.TotalMilliseconds:0.0} ms, max {paced.MaxAfterFirstSecond.TotalMilliseconds:0.0} ms; pipeline sampled p99 {paced.PipelineP99.TotalMilliseconds:0.0} ms"));
        }
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

        for (int r = 0; r < repeats; r++)
        {
            // The in-memory parts hold every transaction and feature vector; they run in a method of their
            // own and are collected before the pipelines run, so those do not pay for a 200 MB older generation.
            foreach (var (name, rate) in await InMemoryAsync().ConfigureAwait(false))
            {
                Add(name, rate);
            }

            CollectPreviousRuns();
            Add("csv read only", await CsvOnlyAsync().ConfigureAwait(false));
            Add("csv read only, chunks", await CsvChunksOnlyAsync().ConfigureAwait(false));
            Add("sequential loop (no pipeline)", await SequentialAsync().ConfigureAwait(false));
            Add("per-record pipeline DOP 1 (previous graph)", await PerRecordPipelineAsync(1).ConfigureAwait(false));
            Add("per-record pipeline DOP 2 (previous graph)", await PerRecordPipelineAsync(2).ConfigureAwait(false));
            Add("pipeline DOP 1", await PipelineAsync(1).ConfigureAwait(false));
            Add("CPU µs per event, DOP 1", LastCpuMicrosecondsPerEvent);
            Add("pipeline DOP 2", await PipelineAsync(2).ConfigureAwait(false));
            Add("CPU µs per event, DOP 2", LastCpuMicrosecondsPerEvent);
            output.WriteLine(FormattableString.Invariant($"repeat {r + 1}/{repeats}: {string.Join(", ", results.Select(p => $"{p.Key} {p.Value[^1]:N1}"))}"));
        }

        // Latency at a paced 50k events/s (×speed of event time) over at most 500k rows.
        var paced = await PacedAsync(50_000).ConfigureAwait(false);
        var p50 = paced.P50;
        var p99 = paced.P99;

        double kafkaRate = double.NaN;
        if (kafka)
        {
            kafkaRate = await KafkaAsync().ConfigureAwait(false);
        }

        var dop1Runs = results["pipeline DOP 1"];
        var dop2Runs = results["pipeline DOP 2"];
        output.WriteLine(FormattableString.Invariant($"DOP 2 / DOP 1 per repeat: {string.Join(", ", dop1Runs.Zip(dop2Runs, (a, b) => $"{b / a:0.00}×"))}"));
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
                "per-record pipeline DOP 2 (previous graph)" => FormattableString.Invariant($"{Median(values) / Median(results["per-record pipeline DOP 1 (previous graph)"]):0.00}× its DOP 1"),
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

        output.WriteLine(FormattableString.Invariant($"| paced at {paced.Rate:N0} events/s, DOP 2, {paced.Events:N0} events: latency from each event's due time to the sink p50 {p50.TotalMilliseconds:0.0} ms, p99 {p99.TotalMilliseconds:0.0} ms, max {paced.Max.TotalMilliseconds:0.0} ms; events due after the first second: p99 {paced.P99AfterFirstSecond.TotalMilliseconds:0.0} ms, max {paced.MaxAfterFirstSecond.TotalMilliseconds:0.0} ms (pipeline's sampled chunk latency p99 {paced.PipelineP99.TotalMilliseconds:0.0} ms) | {paced.Achieved:N0} | |"));
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    private async Task<List<(string Name, double Rate)>> InMemoryAsync()
    {
        var transactions = await TransactionFile.ReadAllAsync(_csv).ConfigureAwait(false);
        return InMemory(transactions);
    }

    private List<(string Name, double Rate)> InMemory(List<Transaction> transactions)
    {
        var (features, featureRate) = FeaturesOnly(transactions);
        var engine = EngineOnly(features);
        double parallel = EnginesInParallel(features, 2);
        var transform = TransformOnly(features);
        return
        [
            ("features only (in memory, one thread)", featureRate),
            ($"LightGBM model only, {Engine} engine (one thread)", engine.Rate),
            ($"CPU µs per row, {Engine} engine only", engine.CpuMicrosecondsPerRow),
            ($"LightGBM model only, {Engine} engine, 2 threads (one session each, half the rows each)", parallel),

            // One caller thread, but ML.NET's cursor over a transformed view may run the model on several
            // threads (its splitter/consolidator), so the rate is not a one-thread figure: the CPU per row is.
            ("LightGBM batched Transform only (one caller thread)", transform.Rate),
            ("CPU µs per row, batched Transform only", transform.CpuMicrosecondsPerRow),
        ];
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

    private (double Rate, double CpuMicrosecondsPerRow) EngineOnly(float[][] features)
    {
        var (model, _) = FraudTraining.LoadModel(_models, FraudModelKind.LightGbm, Engine);
        using var session = model.CreateSession();
        var probabilities = new float[256];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        for (int start = 0; start < features.Length; start += 256)
        {
            var chunk = new ArraySegment<float[]>(features, start, Math.Min(256, features.Length - start));
            session.Predict(chunk, probabilities);
        }

        double rate = features.Length / watch.Elapsed.TotalSeconds;
        return (rate, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / features.Length);
    }

    /// <summary>The hardware's scaling ceiling for the expensive stage: N threads, one engine each, no pipeline.</summary>
    private double EnginesInParallel(float[][] features, int threads)
    {
        var (model, _) = FraudTraining.LoadModel(_models, FraudModelKind.LightGbm, Engine);
        var sessions = Enumerable.Range(0, threads).Select(_ => model.CreateSession()).ToArray();
        var watch = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var probabilities = new float[256];
            int share = features.Length / threads;
            int end = t == threads - 1 ? features.Length : (t + 1) * share;
            for (int start = t * share; start < end; start += 256)
            {
                sessions[t].Predict(new ArraySegment<float[]>(features, start, Math.Min(256, end - start)), probabilities);
            }
        });
        double rate = features.Length / watch.Elapsed.TotalSeconds;
        foreach (var session in sessions)
        {
            session.Dispose();
        }

        return rate;
    }

    private (double Rate, double CpuMicrosecondsPerRow) TransformOnly(float[][] features)
    {
        var model = Flow.Stages.Tabular.Scoring.MlNetBinaryClassifier.Load("lightgbm", Path.Combine(_models, "lightgbm.zip"), FraudFeatures.Count);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        for (int start = 0; start < features.Length; start += 4096)
        {
            model.PredictAll(new ArraySegment<float[]>(features, start, Math.Min(4096, features.Length - start)));
        }

        double rate = features.Length / watch.Elapsed.TotalSeconds;
        return (rate, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / features.Length);
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

    private async Task<double> CsvChunksOnlyAsync()
    {
        using var source = TransactionFile.OpenChunkSource(new CsvSourceOptions { Path = _csv, ChunkSize = ChunkSize });
        var builder = new PipelineBuilder(new PipelineOptions { Name = "csv-chunks-only", MetricsEnabled = false });
        long count = 0;
        builder.From(source, "csv").To(chunk => count += chunk.Length);
        var watch = Stopwatch.StartNew();
        await builder.Build().RunAsync().ConfigureAwait(false);
        return count / watch.Elapsed.TotalSeconds;
    }

    private async Task<double> SequentialAsync()
    {
        CollectPreviousRuns();
        var (model, threshold) = FraudTraining.LoadModel(_models, FraudModelKind.LightGbm, Engine);
        var extractor = new CardFeatureExtractor();
        using var session = model.CreateSession();
        var probabilities = new float[ChunkSize];
        var rows = new float[ChunkSize][];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = new float[FraudFeatures.Count];
        }

        long alerts = 0;
        using var source = TransactionFile.OpenChunkSource(new CsvSourceOptions { Path = _csv, ChunkSize = ChunkSize });
        var builder = new PipelineBuilder(new PipelineOptions { Name = "sequential", MetricsEnabled = false });

        // The CSV reader on its own thread, and everything else in one sink on one thread: no partitions, no
        // lanes; each chunk's features, then one model call for the chunk (per-row calls would penalise ONNX
        // Runtime, whose fixed cost per Run is several microseconds).
        builder.From(source, "csv").To(chunk =>
        {
            for (int i = 0; i < chunk.Length; i++)
            {
                extractor.Next(chunk[i], rows[i]);
            }

            session.Predict(new ArraySegment<float[]>(rows, 0, chunk.Length), probabilities.AsSpan(0, chunk.Length));
            for (int i = 0; i < chunk.Length; i++)
            {
                alerts += probabilities[i] >= threshold ? 1 : 0;
            }
        });
        var watch = Stopwatch.StartNew();
        await builder.Build().RunAsync().ConfigureAwait(false);
        return _rows / watch.Elapsed.TotalSeconds;
    }

    private async Task<double> PipelineAsync(int dop, TextWriter? report = null)
    {
        CollectPreviousRuns();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var summary = await FraudCsvScoring.RunAsync(
            new FraudScoreSettings { InputPath = _csv, ModelFolder = _models, RejectPath = Path.Combine(_folder, "rejects.txt"), Pipeline = new FraudScoringOptions { DegreeOfParallelism = dop, BatchSize = ChunkSize, BoundedCapacity = Capacity } },
            report ?? TextWriter.Null,
            CancellationToken.None).ConfigureAwait(false);
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        LastCpuMicrosecondsPerEvent = used.TotalMicroseconds / summary.Scored;
        return summary.Scored / summary.Pipeline.Elapsed.TotalSeconds;
    }

    private double LastCpuMicrosecondsPerEvent { get; set; }

    private async Task<PacedResult> PacedAsync(double eventsPerSecond)
    {
        // Take at most 10 s worth of events; replay speed = wanted rate / the data's own event rate.
        int take = (int)Math.Min(_rows, eventsPerSecond * 10);
        string subset = Path.Combine(_folder, "paced.csv");
        await File.WriteAllLinesAsync(subset, File.ReadLines(_csv).Take(take + 1)).ConfigureAwait(false);
        var (first, last, count) = await SpanOfAsync(subset).ConfigureAwait(false);
        double speed = eventsPerSecond / (count / (last - first).TotalSeconds);
        var (model, threshold) = FraudTraining.LoadModel(_models, FraudModelKind.LightGbm, Engine);

        // The same graph as FraudCsvScoring (chunked CSV source → lanes → merge → sink), with a sink that
        // measures every event from the instant the pacing made it due, not from when its chunk left the source.
        var options = new FraudScoringOptions { DegreeOfParallelism = 2, BatchSize = ChunkSize, BoundedCapacity = Capacity };
        using var source = TransactionFile.OpenChunkSource(new CsvSourceOptions { Path = subset, RejectPath = Path.Combine(_folder, "rejects.txt"), ReplaySpeed = speed, ChunkSize = options.BatchSize });
        var latencies = new List<long>(count);
        var afterFirstSecond = new List<long>(count);
        long secondTicks = Stopwatch.Frequency;
        long alerts = 0;
        var builder = new PipelineBuilder(new PipelineOptions { Name = "paced" });

        // After the subset was written and read back (500k transactions of garbage), not before.
        CollectPreviousRuns();
        FraudScoringGraph.AddChunkedScoring(builder.From(source, "csv"), tx => tx, model, options).To(
            chunk =>
            {
                long now = Stopwatch.GetTimestamp();
                for (int i = 0; i < chunk.Count; i++)
                {
                    long dueTicks = (long)((chunk.Items[i].Timestamp - first).Ticks / speed);
                    long due = source.StartTimestamp + (long)(dueTicks * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond));
                    latencies.Add(now - due);
                    if (due - source.StartTimestamp >= secondTicks)
                    {
                        afterFirstSecond.Add(now - due);
                    }

                    alerts += chunk.Probabilities[i] >= threshold ? 1 : 0;
                }
            },
            new StageOptions { Name = "alerts", BoundedCapacity = FraudScoringGraph.ChunkCapacity(options) * 2 });
        var result = await builder.Build().RunAsync().ConfigureAwait(false);
        latencies.Sort();
        afterFirstSecond.Sort();
        static TimeSpan At(List<long> sorted, double q) => Stopwatch.GetElapsedTime(0, sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))]);
        return new PacedResult(eventsPerSecond, latencies.Count / result.Elapsed.TotalSeconds, latencies.Count, At(latencies, 0.50), At(latencies, 0.99), At(latencies, 1.0), result["alerts"].EndToEndP99, At(afterFirstSecond, 0.99), At(afterFirstSecond, 1.0));
    }

    private static async Task<(DateTime First, DateTime Last, int Count)> SpanOfAsync(string csv)
    {
        var rows = await TransactionFile.ReadAllAsync(csv).ConfigureAwait(false);
        return (rows[0].Timestamp, rows[^1].Timestamp, rows.Count);
    }

    private sealed record PacedResult(double Rate, double Achieved, int Events, TimeSpan P50, TimeSpan P99, TimeSpan Max, TimeSpan PipelineP99, TimeSpan P99AfterFirstSecond, TimeSpan MaxAfterFirstSecond);

    private async Task<double> PerRecordPipelineAsync(int dop)
    {
        CollectPreviousRuns();
        // The graph before chunking, kept as the baseline: per-record CSV source → partition by card →
        // features → batch → score → merge → sink (FraudScoringGraph.AddScoring, which the Kafka path uses).
        var (model, threshold) = FraudTraining.LoadModel(_models, FraudModelKind.LightGbm, Engine);
        using var source = TransactionFile.OpenSource(new CsvSourceOptions { Path = _csv });
        var options = new FraudScoringOptions { DegreeOfParallelism = dop };
        long scored = 0, alerts = 0;
        var builder = new PipelineBuilder(new PipelineOptions { Name = "per-record" });
        FraudScoringGraph.AddScoring(builder.From(source, "csv"), tx => tx, model, options).To(
            batch =>
            {
                foreach (var item in batch)
                {
                    scored++;
                    alerts += item.Probability >= threshold ? 1 : 0;
                }
            },
            new StageOptions { Name = "alerts", BoundedCapacity = options.BoundedCapacity });
        var result = await builder.Build().RunAsync().ConfigureAwait(false);
        return scored / result.Elapsed.TotalSeconds;
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

    /// <summary>Each end-to-end run starts on a clean heap: the card states of the previous run are garbage, and a blocking collection of them must not land in the next run's figures.</summary>
    private static void CollectPreviousRuns()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>Involuntary context switches of the process's live threads so far (Linux <c>/proc/self/task/*/status</c>; 0 elsewhere).</summary>
    private static long InvoluntaryContextSwitches()
    {
        const string Tasks = "/proc/self/task";
        const string Key = "nonvoluntary_ctxt_switches:";
        if (!Directory.Exists(Tasks))
        {
            return 0;
        }

        long total = 0;
        foreach (var task in Directory.EnumerateDirectories(Tasks))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith(Key, StringComparison.Ordinal))
                    {
                        total += long.Parse(line.AsSpan(Key.Length).Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The thread ended while we read it.
            }
        }

        return total;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
