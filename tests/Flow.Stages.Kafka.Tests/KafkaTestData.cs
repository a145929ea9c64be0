using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Flow.Stages.Kafka.Tests;

/// <summary>One mock cluster for the whole test assembly (real Kafka protocol on loopback).</summary>
public sealed class BrokerFixture : IDisposable
{
    public KafkaDevBroker Broker { get; } = KafkaDevBroker.Start();

    public string Bootstrap => Broker.BootstrapServers;

    public void Dispose() => Broker.Dispose();

    public string NewTopic(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Produces values "0".."count-1" keyed by value % keys; returns the produced positions.</summary>
    public List<TopicPartitionOffset> Produce(string topic, int count, int keys = 16)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = Bootstrap, EnableIdempotence = true }).Build();
        var positions = new List<TopicPartitionOffset>();
        for (int i = 0; i < count; i++)
        {
            string value = i.ToString(CultureInfo.InvariantCulture);
            producer.Produce(topic, new Message<string, byte[]> { Key = (i % keys).ToString(CultureInfo.InvariantCulture), Value = Encoding.UTF8.GetBytes(value) }, r =>
            {
                if (r.Error.IsError)
                {
                    throw new InvalidOperationException(r.Error.Reason);
                }

                lock (positions)
                {
                    positions.Add(r.TopicPartitionOffset);
                }
            });
        }

        producer.Flush();
        return positions;
    }

    /// <summary>The group's committed offsets for every partition of the topic (-1001 when none).</summary>
    public Dictionary<int, long> Committed(string topic, string group, int partitions = 4)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = Bootstrap, GroupId = group, EnableAutoCommit = false }).Build();
        var committed = consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(10));
        return committed.ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
    }
}

[CollectionDefinition("broker")]
public sealed class BrokerGroup : ICollectionFixture<BrokerFixture>
{
}
