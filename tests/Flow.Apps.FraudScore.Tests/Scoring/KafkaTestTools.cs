using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Flow.Apps.FraudScore.Data;

namespace Flow.Apps.FraudScore.Tests.Scoring;

/// <summary>Reads topics of the fixture's mock cluster and runs the test host as a process.</summary>
internal static class KafkaTestTools
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    /// <summary>Reads a topic from the beginning until at least <paramref name="atLeast"/> records arrived and every partition is at its end.</summary>
    public static List<(int Partition, long Offset, string? Key, byte[] Value)> ReadTopic(string bootstrap, string topic, int atLeast, Func<bool>? stopEarly = null)
    {
        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = true,
        }).Build();
        consumer.Assign(Enumerable.Range(0, 4).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var records = new List<(int, long, string?, byte[])>();
        var atEnd = new HashSet<int>();
        var watch = Stopwatch.StartNew();
        while ((records.Count < atLeast || atEnd.Count < 4) && watch.Elapsed < Deadline && stopEarly?.Invoke() != true)
        {
            var result = consumer.Consume(100);
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                atEnd.Add(result.Partition.Value);
                continue;
            }

            atEnd.Remove(result.Partition.Value);
            records.Add((result.Partition.Value, result.Offset.Value, result.Message.Key, result.Message.Value));
        }

        return records;
    }

    public static void Produce(string bootstrap, string topic, string key, string value)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
        producer.Produce(topic, new Message<string, string> { Key = key, Value = value });
        producer.Flush();
    }

    public static List<TransactionScore> ReadScores(string bootstrap, string topic, int atLeast) =>
        ReadTopic(bootstrap, topic, atLeast).Select(r => TransactionJson.DeserializeScore(r.Value)).ToList();

    public static Dictionary<int, long> Committed(string bootstrap, string topic, string group)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = group, EnableAutoCommit = false }).Build();
        return consumer.Committed(Enumerable.Range(0, 4).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(10))
            .ToDictionary(c => c.Partition.Value, c => Math.Max(0, c.Offset.Value));
    }

    /// <summary>Starts <c>dotnet &lt;test assembly&gt; fraud …</c> (see <see cref="FraudTestHost"/>), collecting its output.</summary>
    public static (Process Process, StringBuilder Output) StartHost(params string[] args) => StartHost(null, args);

    /// <summary>Starts the test host; <paramref name="onLine"/> sees every line of its standard output.</summary>
    public static (Process Process, StringBuilder Output) StartHost(Action<string>? onLine, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(FraudTestHost).Assembly.Location);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data is not null)
            {
                onLine?.Invoke(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }
}

/// <summary>A log writer that signals when a line matches a pattern.</summary>
internal sealed class SignalingWriter(string pattern) : StringWriter
{
    public TaskCompletionSource Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void WriteLine(string? value)
    {
        lock (this)
        {
            base.WriteLine(value);
        }

        if (value is not null && System.Text.RegularExpressions.Regex.IsMatch(value, pattern))
        {
            Seen.TrySetResult();
        }
    }

    public override string ToString()
    {
        lock (this)
        {
            return base.ToString();
        }
    }
}
