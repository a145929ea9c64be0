using System.Diagnostics;
using System.Globalization;
using Flow.Apps.FraudScore.Benchmarks;

// dotnet run -c Release --project bench/Flow.Apps.FraudScore.Benchmarks -- [--rows N] [--repeats R] [--skip-kafka | --only-kafka]
int rows = 1_000_000, repeats = 3;
bool kafka = true, onlyKafka = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rows": rows = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--repeats": repeats = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--skip-kafka": kafka = false; break;
        case "--only-kafka": onlyKafka = true; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

var watch = Stopwatch.StartNew();
await using var bench = await FraudBenchmark.PrepareAsync(rows, Console.Out);
if (onlyKafka)
{
    await bench.RunKafkaOnlyAsync(Console.Out);
}
else
{
    await bench.RunAsync(repeats, kafka, Console.Out);
}

Console.Out.WriteLine(FormattableString.Invariant($"total {watch.Elapsed.TotalSeconds:0} s"));
return 0;
