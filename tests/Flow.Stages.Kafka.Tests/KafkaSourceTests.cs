using System.Text;
using Flow.Pipeline;

namespace Flow.Stages.Kafka.Tests;

[Collection("broker")]
public sealed class KafkaSourceTests(BrokerFixture broker)
{
    private KafkaSourceOptions Options(string topic, string group, long max) => new()
    {
        BootstrapServers = broker.Bootstrap,
        Topic = topic,
        GroupId = group,
        MaxRecords = max,
        SessionTimeoutMs = 3000,
    };

    [Fact]
    public async Task Run_AllAcknowledged_ConsumesEachOnceAndCommitsEndOfEveryPartition()
    {
        string topic = broker.NewTopic("all");
        var produced = broker.Produce(topic, 400);
        var source = new KafkaSource(Options(topic, "g-all", 400));
        var builder = new PipelineBuilder(new PipelineOptions { MetricsEnabled = false });
        var seen = new List<string>();
        builder.From(source, "kafka").To(record =>
        {
            seen.Add(Encoding.UTF8.GetString(record.Value));
            record.Acknowledge();
        });

        await builder.Build().RunAsync();
        await source.DisposeAsync();

        Assert.Equal(Enumerable.Range(0, 400).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), seen.Order());
        var committed = broker.Committed(topic, "g-all");
        foreach (var group in produced.GroupBy(p => p.Partition.Value))
        {
            Assert.Equal(group.Max(p => p.Offset.Value) + 1, committed[group.Key]);
        }
    }

    [Fact]
    public async Task Run_OneRecordNeverAcknowledged_CommitStopsRightBeforeIt()
    {
        string topic = broker.NewTopic("hole");
        var produced = broker.Produce(topic, 200);
        var hole = produced.Where(p => p.Offset.Value == 5).First();
        var source = new KafkaSource(Options(topic, "g-hole", 200));
        var builder = new PipelineBuilder(new PipelineOptions { MetricsEnabled = false });
        builder.From(source, "kafka").Then(r => r, new StageOptions { MaxDegreeOfParallelism = 2, EnsureOrdered = false }).To(record =>
        {
            if (record.Partition != hole.Partition.Value || record.Offset != hole.Offset.Value)
            {
                record.Acknowledge();
            }
        });

        await builder.Build().RunAsync();
        await source.DisposeAsync();

        var committed = broker.Committed(topic, "g-hole");
        Assert.Equal(5, committed[hole.Partition.Value]);
        foreach (var group in produced.GroupBy(p => p.Partition.Value).Where(g => g.Key != hole.Partition.Value))
        {
            Assert.Equal(group.Max(p => p.Offset.Value) + 1, committed[group.Key]);
        }
    }

    [Fact]
    public async Task ProducerSink_DeliveredCallbackAcknowledges_CommitsEverythingAndOutputsArrive()
    {
        string input = broker.NewTopic("in");
        string output = broker.NewTopic("out");
        broker.Produce(input, 300);
        var source = new KafkaSource(Options(input, "g-sink", 300));
        using var sink = new KafkaProducerSink<KafkaRecord>(
            new KafkaProducerSinkOptions { BootstrapServers = broker.Bootstrap },
            r => int.Parse(Encoding.UTF8.GetString(r.Value), System.Globalization.CultureInfo.InvariantCulture) % 3 == 0 ? [] : [new KafkaOutboundMessage(output, r.Key, r.Value)],
            r => r.Acknowledge());
        var builder = new PipelineBuilder(new PipelineOptions { MetricsEnabled = false });
        builder.From(source, "kafka").To(sink);

        await builder.Build().RunAsync();
        await source.DisposeAsync();

        Assert.Equal(300, sink.DeliveredItems);
        Assert.Equal(200, sink.Produced);
        Assert.Equal(300, broker.Committed(input, "g-sink").Values.Where(v => v >= 0).Sum());
    }
}
