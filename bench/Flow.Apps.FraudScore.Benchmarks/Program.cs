using System.Diagnostics;
using System.Globalization;
using Flow.Apps.FraudScore.Benchmarks;

// dotnet run -c Release --project bench/Flow.Apps.FraudScore.Benchmarks -- [--rows N] [--repeats R] [--chunk ROWS]
//     [--capacity TRANSACTIONS] [--trees N] [--training-rows N] [--engine onnx|mlnet] [--csv FILE --models FOLDER (only with --only-pipeline)] [--skip-kafka | --only-kafka | --only-pipeline DOP[,DOP…] [--report] | --only-paced | --only-model]
var defaults = new Flow.Apps.FraudScore.Scoring.FraudScoringOptions();
int rows = 1_000_000, repeats = 3, chunk = defaults.BatchSize, capacity = defaults.BoundedCapacity, trees = 100;
int[] onlyPipeline = [];
bool report = false, onlyPaced = false, onlyModel = false;
string? existingCsv = null, existingModels = null;
bool kafka = true, onlyKafka = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rows": rows = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--repeats": repeats = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--skip-kafka": kafka = false; break;
        case "--only-kafka": onlyKafka = true; break;
        case "--only-pipeline": onlyPipeline = [.. args[++i].Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture))]; break;
        case "--chunk": chunk = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--report": report = true; break;
        case "--only-paced": onlyPaced = true; break;
        case "--only-model": onlyModel = true; break;
        case "--csv": existingCsv = args[++i]; break;
        case "--models": existingModels = args[++i]; break;
        case "--trees": trees = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--training-rows": FraudBenchmark.TrainingRows = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--engine": FraudBenchmark.Engine = args[++i]; break;
        case "--capacity": capacity = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

var watch = Stopwatch.StartNew();
await using var bench = existingCsv is not null && existingModels is not null
    ? FraudBenchmark.UseExisting(existingCsv, existingModels, Directory.CreateTempSubdirectory("flow-fraud-bench-").FullName, chunk, capacity)
    : await FraudBenchmark.PrepareAsync(rows, chunk, capacity, trees, Console.Out);
if (onlyModel)
{
    await bench.RunModelOnlyAsync(repeats, Console.Out);
}
else if (onlyPaced)
{
    await bench.RunPacedOnlyAsync(repeats, Console.Out);
}
else if (onlyPipeline.Length > 0)
{
    await bench.RunPipelineOnlyAsync(onlyPipeline, repeats, report, Console.Out);
}
else if (onlyKafka)
{
    await bench.RunKafkaOnlyAsync(Console.Out);
}
else
{
    await bench.RunAsync(repeats, kafka, Console.Out);
}

Console.Out.WriteLine(FormattableString.Invariant($"total {watch.Elapsed.TotalSeconds:0} s"));
return 0;
