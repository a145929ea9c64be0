using System.Globalization;
using Flow.Pipeline;

namespace Flow.Cli.Demo;

/// <summary>
/// The core demo: a sensor stream parsed in parallel, windowed per sensor (partition by key, so each
/// sensor's state is touched by one worker in order), scored in dynamic batches by a deliberately
/// slow model, and alerted on. It shows the live view, backpressure and the bottleneck report.
/// </summary>
internal static class SensorDemo
{
    public static async Task<int> RunAsync(int readings, LiveViewMode mode, TextWriter output, CancellationToken cancellationToken)
    {
        var builder = new PipelineBuilder(new PipelineOptions { Name = "sensors" });
        var parsed = builder.From(Readings(readings), "readings")
            .Then(Parse, new StageOptions { Name = "parse", MaxDegreeOfParallelism = 2, ErrorPolicy = ErrorPolicy.DeadLetter });
        var windows = parsed.PartitionBy(r => r.Sensor, 2, new StageOptions { Name = "by-sensor" })
            .Select((branch, i) => branch.Then(new WindowStage().Process, new StageOptions { Name = $"window-{i}", BoundedCapacity = 256 }))
            .ToArray();
        int alerts = 0;
        builder.Merge(new StageOptions { Name = "merge" }, windows)
            .Batch(256, TimeSpan.FromMilliseconds(20), new StageOptions { Name = "batch" })
            .Then(Score, new StageOptions { Name = "model", MaxDegreeOfParallelism = 2, BoundedCapacity = 4 })
            .Unbatch(new StageOptions { Name = "unbatch" })
            .To(s => { if (s.Score > 0.5) { Interlocked.Increment(ref alerts); } }, new StageOptions { Name = "alerts" });
        var pipeline = builder.Build();
        await output.WriteLineAsync("Flow core demo: the graph (Mermaid) —").ConfigureAwait(false);
        await output.WriteLineAsync(pipeline.ToMermaid()).ConfigureAwait(false);

        var result = await LiveView.RunAsync(pipeline.Start(cancellationToken), new LiveViewOptions { Mode = mode, Output = output }).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{alerts} alerts; {result.DeadLetters.Count} malformed readings dead-lettered, e.g. {(result.DeadLetters.Count > 0 ? result.DeadLetters[0].Reason : "none")}")).ConfigureAwait(false);
        return 0;
    }

    private static IEnumerable<string> Readings(int count)
    {
        var random = new Random(7);
        for (int i = 0; i < count; i++)
        {
            // One reading in 10,000 is malformed (dead letters); one in 5,000 is a spike (alerts).
            yield return i % 10_000 == 9_999
                ? $"sensor-{i % 16};not-a-number"
                : string.Create(CultureInfo.InvariantCulture, $"sensor-{i % 16};{20 + (5 * Math.Sin(i / 500.0)) + random.NextDouble() + (i % 5_000 == 2_500 ? 40 : 0):0.000}");
        }
    }

    private static Reading Parse(string line)
    {
        int split = line.IndexOf(';', StringComparison.Ordinal);
        if (split < 0 || !double.TryParse(line.AsSpan(split + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            throw new FormatException($"reading '{line}' has no numeric value");
        }

        return new Reading(line[..split], value);
    }

    private static Scored[] Score(Window[] batch)
    {
        var scored = new Scored[batch.Length];
        for (int i = 0; i < batch.Length; i++)
        {
            // A stand-in for a model: enough arithmetic per item to make this the bottleneck.
            double z = (batch[i].Value - batch[i].Mean) / Math.Max(batch[i].Std, 1e-6);
            double acc = 0;
            for (int k = 1; k <= 2_000; k++)
            {
                acc += Math.Tanh(z / k);
            }

            scored[i] = new Scored(batch[i].Sensor, 1 / (1 + Math.Exp(-Math.Abs(z) + 3 + (acc * 1e-9))));
        }

        return scored;
    }

    private sealed record Reading(string Sensor, double Value);

    private sealed record Window(string Sensor, double Value, double Mean, double Std);

    private sealed record Scored(string Sensor, double Score);

    /// <summary>Running mean and deviation per sensor; safe without locks because one worker owns each sensor.</summary>
    private sealed class WindowStage
    {
        private readonly Dictionary<string, (long N, double Mean, double M2)> _state = [];

        public Window Process(Reading reading)
        {
            var (n, mean, m2) = _state.GetValueOrDefault(reading.Sensor);
            n++;
            double delta = reading.Value - mean;
            mean += delta / n;
            m2 += delta * (reading.Value - mean);
            _state[reading.Sensor] = (n, mean, m2);
            return new Window(reading.Sensor, reading.Value, mean, n > 1 ? Math.Sqrt(m2 / (n - 1)) : 0);
        }
    }
}
