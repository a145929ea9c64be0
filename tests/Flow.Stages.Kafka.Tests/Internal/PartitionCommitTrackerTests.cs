using Confluent.Kafka;
using Flow.Stages.Kafka.Internal;

namespace Flow.Stages.Kafka.Tests.Internal;

public sealed class PartitionCommitTrackerTests
{
    private static readonly TopicPartition P0 = new("t", 0);
    private static readonly TopicPartition P1 = new("t", 1);

    [Fact]
    public void Committable_OutOfOrderCompletion_CommitsOnlyTheCompletedPrefix()
    {
        var tracker = new PartitionCommitTracker();
        var ledgers = Enumerable.Range(10, 5).Select(o => (Offset: (long)o, Ledger: tracker.Register(new TopicPartitionOffset(P0, o)))).ToArray();

        ledgers[1].Ledger.Complete(11);
        ledgers[2].Ledger.Complete(12);
        Assert.Empty(tracker.Committable());

        ledgers[0].Ledger.Complete(10);
        Assert.Equal([new TopicPartitionOffset(P0, 13)], tracker.Committable());
        Assert.Equal([new TopicPartitionOffset(P0, 13)], tracker.Committable()); // not committed yet: offered again
        tracker.MarkCommitted([new TopicPartitionOffset(P0, 13)]);
        Assert.Empty(tracker.Committable());
        Assert.Equal(2, tracker.InFlight);

        ledgers[4].Ledger.Complete(14);
        Assert.Empty(tracker.Committable());
        ledgers[3].Ledger.Complete(13);
        Assert.Equal([new TopicPartitionOffset(P0, 15)], tracker.Committable());
        Assert.Equal(0, tracker.InFlight);
    }

    [Fact]
    public void Committable_PartitionsAreIndependent()
    {
        var tracker = new PartitionCommitTracker();
        var a = tracker.Register(new TopicPartitionOffset(P0, 0));
        var b = tracker.Register(new TopicPartitionOffset(P1, 7));
        tracker.Register(new TopicPartitionOffset(P0, 1));

        b.Complete(7);

        Assert.Equal([new TopicPartitionOffset(P1, 8)], tracker.Committable());
        a.Complete(0);
        Assert.Equal([new TopicPartitionOffset(P0, 1)], tracker.Committable([P0]));
    }

    [Fact]
    public void Forget_RevokedPartition_LateCompletionsCommitNothing()
    {
        var tracker = new PartitionCommitTracker();
        var old = tracker.Register(new TopicPartitionOffset(P0, 5));

        tracker.Forget([P0]);
        old.Complete(5);

        Assert.Empty(tracker.Committable());
        Assert.Equal(0, tracker.InFlight);
    }

    [Fact]
    public void Register_Rewind_StartsAFreshLedgerThatIgnoresOldCompletions()
    {
        var tracker = new PartitionCommitTracker();
        var first = tracker.Register(new TopicPartitionOffset(P0, 20));
        var rewound = tracker.Register(new TopicPartitionOffset(P0, 3));

        first.Complete(20);
        Assert.Empty(tracker.Committable());
        rewound.Complete(3);
        Assert.Equal([new TopicPartitionOffset(P0, 4)], tracker.Committable());
    }
}
