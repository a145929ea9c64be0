namespace Flow.Pipeline.Tests.Stages;

public class StageContextTests
{
    [Fact]
    public void Constructor_Defaults_SystemClockSingleReplica()
    {
        var context = new StageContext("decode");

        Assert.Equal("decode", context.StageName);
        Assert.Equal(0, context.Replica);
        Assert.Equal(1, context.ReplicaCount);
        Assert.Same(TimeProvider.System, context.TimeProvider);
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(2, 2)]
    [InlineData(0, 0)]
    public void Constructor_ReplicaOutOfRange_Throws(int replica, int count)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StageContext("s", replica, count));
    }
}
