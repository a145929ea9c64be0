using Flow.Neural.Internal.Threading;

namespace Flow.Neural.Tests.Internal.Threading;

public class WorkerTeamTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void TryRun_Parts_EachRunsOnceOnItsOwnThreadPartZeroOnTheCaller(int count)
    {
        var team = new WorkerTeam();
        var runs = new int[count];
        var threads = new int[count];

        bool ran = team.TryRun(count, i =>
        {
            Interlocked.Increment(ref runs[i]);
            threads[i] = Environment.CurrentManagedThreadId;
        });

        Assert.True(ran);
        Assert.All(runs, r => Assert.Equal(1, r));
        Assert.Equal(count, threads.Distinct().Count());
        Assert.Equal(Environment.CurrentManagedThreadId, threads[0]);
    }

    [Fact]
    public void TryRun_PartsWaitForEachOther_AllRunAtOnce()
    {
        var team = new WorkerTeam();

        // Every part waits at a barrier for all the others: this only finishes if they run concurrently.
        using var barrier = new Barrier(3);
        var passed = new bool[3];

        Assert.True(team.TryRun(3, i => passed[i] = barrier.SignalAndWait(TimeSpan.FromSeconds(30))));
        Assert.All(passed, Assert.True);
    }

    [Fact]
    public void TryRun_NestedCall_IsRefusedSoTheCallerFallsBack()
    {
        var team = new WorkerTeam();
        bool? nested = null;

        bool ran = team.TryRun(2, i =>
        {
            if (i == 1)
            {
                nested = team.TryRun(2, _ => { });
            }
        });

        Assert.True(ran);
        Assert.False(nested);
        Assert.True(team.TryRun(2, _ => { }));
    }

    [Fact]
    public void Run_NestedCallWhileTeamInUse_RunsEveryPartOnceOnThePool()
    {
        var team = new WorkerTeam();
        var nestedRuns = new int[3];

        team.Run(2, i =>
        {
            if (i == 1)
            {
                team.Run(3, j => Interlocked.Increment(ref nestedRuns[j]));
            }
        });

        Assert.All(nestedRuns, r => Assert.Equal(1, r));
    }

    [Fact]
    public void TryRun_PartsThrow_RethrowsTheLowestFailingPartsExceptionAfterAllFinished()
    {
        var team = new WorkerTeam();
        int finished = 0;

        var ex = Assert.Throws<InvalidOperationException>(() => team.TryRun(3, i =>
        {
            if (i > 0)
            {
                Interlocked.Increment(ref finished);
                throw new InvalidOperationException($"part {i}");
            }
        }));

        Assert.Equal("part 1", ex.Message);
        Assert.Equal(2, Volatile.Read(ref finished));
        Assert.True(team.TryRun(3, _ => { }));
    }

    [Fact]
    public void Run_TeamInUseAndPartsThrow_RethrowsTheLowestFailingPartsExceptionUnwrapped()
    {
        // A call made while the team is in use runs on the thread pool; its failures must look like the team's own
        // (the lowest-numbered failing part's exception, not an AggregateException), so callers see one exception type.
        var team = new WorkerTeam();
        Exception? nested = null;

        Assert.True(team.TryRun(2, part =>
        {
            if (part == 0)
            {
                nested = Record.Exception(() => team.Run(4, i =>
                {
                    if (i >= 2)
                    {
                        throw new InvalidOperationException($"part {i} failed");
                    }
                }));
            }
        }));

        var error = Assert.IsType<InvalidOperationException>(nested);
        Assert.Equal("part 2 failed", error.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.2)]
    public void TryRun_ManyCallsInARow_EveryPartRunsEveryTime(double spinMilliseconds)
    {
        // Without spinning, every call must wake sleeping helpers (and the caller sleeps while it waits).
        var team = new WorkerTeam(TimeSpan.FromMilliseconds(spinMilliseconds));
        long total = 0;

        for (int call = 0; call < 500; call++)
        {
            Assert.True(team.TryRun(3, i => Interlocked.Add(ref total, i + 1)));
        }

        // Parts 0, 1 and 2 add 1, 2 and 3: 6 per call.
        Assert.Equal(6L * 500, Interlocked.Read(ref total));
    }

    [Fact]
    public void KeepWarm_IdleHelpersWaitAwakeYieldingAndRunTheNextPartsWithoutSleeping()
    {
        // No spin at all: without a warm period a helper would sleep as soon as its part is done.
        var team = new WorkerTeam(TimeSpan.Zero);
        team.KeepWarm(TimeSpan.FromHours(1));
        long total = 0;
        try
        {
            Assert.True(team.TryRun(2, i => Interlocked.Add(ref total, i + 1)));
            Assert.True(SpinWait.SpinUntil(() => team.HelperYields >= 1000, TimeSpan.FromSeconds(30)), "the idle helper did not wait by yielding");
            for (int call = 0; call < 100; call++)
            {
                Assert.True(team.TryRun(2, i => Interlocked.Add(ref total, i + 1)));
            }

            Assert.Equal(3L * 101, Interlocked.Read(ref total));
            Assert.Equal(0, team.HelperSleeps);
        }
        finally
        {
            // Otherwise the helper would go on yielding for the hour, taking a core from the tests that run after this one.
            team.EndWarm();
        }
    }

    [Fact]
    public void KeepWarm_NotCalledOrExpired_IdleHelpersSleepAndWakeForTheNextPart()
    {
        var cold = new WorkerTeam(TimeSpan.Zero);
        var expiring = new WorkerTeam(TimeSpan.Zero);
        expiring.KeepWarm(TimeSpan.FromMilliseconds(20));
        long total = 0;

        foreach (WorkerTeam team in (WorkerTeam[])[cold, expiring])
        {
            Assert.True(team.TryRun(2, i => Interlocked.Add(ref total, i + 1)));
            Assert.True(SpinWait.SpinUntil(() => team.HelperSleeps >= 1, TimeSpan.FromSeconds(30)), "the idle helper did not sleep");
            Assert.True(team.TryRun(2, i => Interlocked.Add(ref total, i + 1)));
        }

        Assert.Equal(3L * 4, Interlocked.Read(ref total));
        Assert.Equal(0, cold.HelperYields);
    }

    [Fact]
    public void KeepWarm_ShorterAfterLonger_KeepsTheLongerPeriod()
    {
        var team = new WorkerTeam();
        Assert.Equal(0, team.WarmUntil);

        team.KeepWarm(TimeSpan.FromHours(1));
        long longer = team.WarmUntil;
        team.KeepWarm(TimeSpan.FromMilliseconds(1));

        Assert.True(longer > System.Diagnostics.Stopwatch.GetTimestamp());
        Assert.Equal(longer, team.WarmUntil);
    }
}
