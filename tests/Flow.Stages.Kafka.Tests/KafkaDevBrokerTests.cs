namespace Flow.Stages.Kafka.Tests;

public sealed class KafkaDevBrokerTests
{
    [Fact]
    public void Start_ReportsLoopbackBootstrap()
    {
        using var broker = KafkaDevBroker.Start();

        Assert.Matches(@"^127\.0\.0\.1:\d+$", broker.BootstrapServers);
    }

    [Fact]
    public void SourceOptions_MissingSettings_Throw()
    {
        Assert.Throws<ArgumentException>(() => new KafkaSource(new KafkaSourceOptions()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KafkaSourceOptions().SessionTimeoutMs = 10);
    }
}
