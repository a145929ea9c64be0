using Confluent.Kafka;

namespace Flow.Stages.Kafka;

/// <summary>
/// A Kafka-protocol broker on 127.0.0.1 for tests and demos: librdkafka's built-in mock cluster,
/// hosted by a client kept alive for the broker's lifetime. Producers and consumers in this or other
/// processes reach it through <see cref="BootstrapServers"/> like any Kafka cluster. New topics are
/// created on first use with 4 partitions. Not for production: point real deployments at a real cluster.
/// </summary>
public sealed class KafkaDevBroker : IDisposable
{
    private readonly IProducer<Null, Null> _host;

    private KafkaDevBroker(IProducer<Null, Null> host, string bootstrapServers)
    {
        _host = host;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>The address clients connect to, <c>127.0.0.1:PORT[,…]</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>Starts a mock cluster.</summary>
    /// <param name="brokers">How many brokers (1–3 are sensible).</param>
    /// <returns>The running broker; dispose it to stop it.</returns>
    /// <exception cref="InvalidOperationException">The cluster did not report its brokers within 10 s.</exception>
    public static KafkaDevBroker Start(int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(brokers);
        var config = new ProducerConfig();
        config.Set("test.mock.num.brokers", brokers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var host = new ProducerBuilder<Null, Null>(config).Build();
        try
        {
            using var admin = new DependentAdminClientBuilder(host.Handle).Build();
            var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
            if (metadata.Brokers.Count == 0)
            {
                throw new InvalidOperationException("the mock Kafka cluster reported no brokers");
            }

            string bootstrap = string.Join(",", metadata.Brokers.Select(b => $"{b.Host}:{b.Port}"));
            return new KafkaDevBroker(host, bootstrap);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Stops the cluster.</summary>
    public void Dispose() => _host.Dispose();
}
