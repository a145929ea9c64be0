using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Flow.Pipeline.Tests;

public class PipelineTests
{
    [Fact]
    public async Task RunAsync_LinearPipeline_EqualsSequentialReference()
    {
        var input = Enumerable.Range(0, 10_000).ToArray();
        var builder = new PipelineBuilder();
        var output = builder.From(input)
            .Then(x => x * 3)
            .ThenAsync(async (x, ct) => { await Task.Yield(); return x + 1; })
            .Then(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Collect();

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(input.Select(x => (x * 3 + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), output.Items);
        Assert.True(output.IsComplete);
        Assert.Equal(PipelineOutcome.Completed, result.Outcome);
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData(1, 20)]
    public async Task StageOptions_TaskScheduler_RunsTheStagesItemsOnIt(int? maxItemsPerTask, int minimumTasks)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduler = new CountingScheduler();
        var builder = new PipelineBuilder();
        var output = builder.From(Enumerable.Range(0, 20))
            .ThenAsync(async (x, ct) => { await gate.Task; return x; }, new StageOptions { BoundedCapacity = 20 })
            .Then(x => (Value: x * 2, OnScheduler: TaskScheduler.Current == scheduler), new StageOptions { TaskScheduler = scheduler, MaxItemsPerTask = maxItemsPerTask, BoundedCapacity = 20 })
            .Collect();
        var run = builder.Build().RunAsync();
        gate.SetResult();

        await run.WaitAsync(TestSources.Timeout);

        Assert.Equal(Enumerable.Range(0, 20).Select(x => x * 2), output.Items.Select(i => i.Value));
        Assert.All(output.Items, i => Assert.True(i.OnScheduler));
        // Each task processes at most MaxItemsPerTask items; the tasks that offer the outputs on run there too.
        Assert.InRange(scheduler.Queued, minimumTasks, 40);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void StageOptions_MaxItemsPerTaskNotPositive_Throws(int value)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new StageOptions { MaxItemsPerTask = value });

        Assert.Equal("MaxItemsPerTask", ex.ParamName);
    }

    private sealed class CountingScheduler : TaskScheduler
    {
        private int _queued;

        public int Queued => Volatile.Read(ref _queued);

        protected override void QueueTask(Task task)
        {
            Interlocked.Increment(ref _queued);
            ThreadPool.UnsafeQueueUserWorkItem(_ => TryExecuteTask(task), null);
        }

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

        protected override IEnumerable<Task> GetScheduledTasks() => [];
    }

    private static readonly AsyncLocal<string?> Ambient = new();

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, "caller")]
    public async Task FlowExecutionContext_ControlsWhetherAsyncLocalsReachStages(bool flow, string? expected)
    {
        Ambient.Value = "caller";
        var builder = new PipelineBuilder(new PipelineOptions { FlowExecutionContext = flow });
        var seen = builder.From(new[] { 1, 2, 3 }).ThenAsync(async (x, ct) => { await Task.Yield(); return Ambient.Value; }).Collect();

        await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(3, seen.Items.Count);
        Assert.All(seen.Items, value => Assert.Equal(expected, value));
        Assert.Equal("caller", Ambient.Value);
    }

    [Fact]
    public async Task RunAsync_Dop4_PreservesOrder()
    {
        var input = Enumerable.Range(0, 5_000).ToArray();
        var builder = new PipelineBuilder();
        var output = builder.From(input)
            .ThenAsync(async (x, ct) => { await Task.Yield(); return TestSources.Work(x); }, new StageOptions { MaxDegreeOfParallelism = 4 })
            .Then(TestSources.Work, new StageOptions { MaxDegreeOfParallelism = 4, BoundedCapacity = 16 })
            .Collect();

        await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(input, output.Items);
    }

    [Fact]
    public async Task RunAsync_Dop4Unordered_DeliversEveryItemOnce()
    {
        var input = Enumerable.Range(0, 5_000).ToArray();
        var builder = new PipelineBuilder();
        var output = builder.From(input)
            .Then(TestSources.Work, new StageOptions { MaxDegreeOfParallelism = 4, EnsureOrdered = false })
            .Collect();

        await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(input, output.Items.Order());
    }

    [Fact]
    public async Task RunAsync_StageThrows_FailsOnceNamingStageAndSequence()
    {
        var builder = new PipelineBuilder();
        builder.From(Enumerable.Range(0, 100), "numbers")
            .Then(x => x == 42 ? throw new FormatException("bad value 42") : x, new StageOptions { Name = "parse", MaxDegreeOfParallelism = 2 })
            .Then(x => x, new StageOptions { Name = "after" })
            .To(_ => { });

        var error = await Assert.ThrowsAsync<StageFailedException>(() => builder.Build().RunAsync().WaitAsync(TestSources.Timeout));

        Assert.Equal("parse", error.StageName);
        Assert.Equal(42, error.Sequence);
        Assert.Equal(StagePhase.Process, error.Phase);
        Assert.IsType<FormatException>(error.InnerException);
        Assert.Equal("stage 'parse' failed on item #42: bad value 42", error.Message);
    }

    [Fact]
    public async Task RunAsync_SourceThrows_FailsNamingSource()
    {
        static IEnumerable<int> Broken()
        {
            yield return 1;
            yield return 2;
            throw new IOException("disk gone");
        }

        var builder = new PipelineBuilder();
        builder.From(Broken(), "reader").To(_ => { });

        var error = await Assert.ThrowsAsync<StageFailedException>(() => builder.Build().RunAsync().WaitAsync(TestSources.Timeout));

        Assert.Equal("reader", error.StageName);
        Assert.Equal(2, error.Sequence);
        Assert.IsType<IOException>(error.InnerException);
    }

    [Fact]
    public async Task RunAsync_SinkThrows_FailsNamingSink()
    {
        var builder = new PipelineBuilder();
        builder.From(Enumerable.Range(0, 10)).To(x => { if (x == 7) throw new InvalidOperationException("full"); }, new StageOptions { Name = "writer" });

        var error = await Assert.ThrowsAsync<StageFailedException>(() => builder.Build().RunAsync().WaitAsync(TestSources.Timeout));

        Assert.Equal("writer", error.StageName);
        Assert.Equal(7, error.Sequence);
    }

    [Fact]
    public async Task RunAsync_CallerCancels_EndsCanceledNotFaulted()
    {
        using var cts = new CancellationTokenSource();
        int seen = 0;
        var builder = new PipelineBuilder();
        builder.From(TestSources.Endless())
            .ThenAsync(async (x, ct) => { await Task.Yield(); return x; }, new StageOptions { MaxDegreeOfParallelism = 2 })
            .To(_ =>
            {
                if (Interlocked.Increment(ref seen) == 50)
                {
                    cts.Cancel();
                }
            });

        var run = builder.Build().RunAsync(cts.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TestSources.Timeout));

        Assert.True(run.IsCanceled, $"status was {run.Status}");
    }

    [Fact]
    public async Task RunAsync_CancelWhileStageIgnoresToken_StillCanceled()
    {
        using var cts = new CancellationTokenSource();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = new PipelineBuilder();
        builder.From(Enumerable.Range(0, 10))
            .ThenAsync<int>(async (x, ct) =>
            {
                entered.TrySetResult();
                await release.Task;
                throw new ObjectDisposedException("session", "disposed because the run was canceled");
            })
            .To(_ => { });

        var run = builder.Build().RunAsync(cts.Token);
        await entered.Task;
        cts.Cancel();
        release.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TestSources.Timeout));
        Assert.True(run.IsCanceled);
    }

    [Fact]
    public async Task Merge_ThreeInputsFinishingAtDifferentTimes_CompletesOnlyAfterAll()
    {
        var a = Channel.CreateUnbounded<int>();
        var b = Channel.CreateUnbounded<int>();
        var c = Channel.CreateUnbounded<int>();
        var arrived = Channel.CreateUnbounded<int>();
        var builder = new PipelineBuilder();
        var merged = builder.Merge(new StageOptions { Name = "merge" }, builder.From(a.Reader, "a"), builder.From(b.Reader, "b"), builder.From(c.Reader, "c"));
        merged.To(x => arrived.Writer.TryWrite(x));
        var run = builder.Build().RunAsync();

        a.Writer.TryWrite(1);
        a.Writer.Complete();
        Assert.Equal(1, await arrived.Reader.ReadAsync().AsTask().WaitAsync(TestSources.Timeout));
        b.Writer.TryWrite(2);
        b.Writer.Complete();
        Assert.Equal(2, await arrived.Reader.ReadAsync().AsTask().WaitAsync(TestSources.Timeout));

        // Two inputs are done; the third still delivers through the merge.
        c.Writer.TryWrite(3);
        Assert.Equal(3, await arrived.Reader.ReadAsync().AsTask().WaitAsync(TestSources.Timeout));
        Assert.False(run.IsCompleted);
        c.Writer.TryWrite(4);
        c.Writer.Complete();

        var result = await run.WaitAsync(TestSources.Timeout);
        Assert.Equal(4, await arrived.Reader.ReadAsync().AsTask().WaitAsync(TestSources.Timeout));
        Assert.Equal(4, result["merge"].ItemsOut);
    }

    [Fact]
    public async Task Broadcast_EveryBranchGetsEveryItem()
    {
        var input = Enumerable.Range(0, 1_000).ToArray();
        var builder = new PipelineBuilder();
        var branches = builder.From(input).Broadcast(3);
        var outputs = branches.Select((branch, i) => branch.Then(x => x * (i + 1)).Collect()).ToArray();

        await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(input.Select(x => x * (i + 1)), outputs[i].Items);
        }
    }

    [Fact]
    public async Task Distribute_RoundRobin_SplitsEvenlyAndLosesNothing()
    {
        var builder = new PipelineBuilder();
        var branches = builder.From(Enumerable.Range(0, 999)).Distribute(3);
        var outputs = branches.Select(b => b.Collect()).ToArray();

        await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Enumerable.Range(0, 999).Where(x => x % 3 == i), outputs[i].Items);
        }
    }

    [Fact]
    public async Task PartitionBy_SameKeySameBranchInOrder()
    {
        var input = Enumerable.Range(0, 3_000).Select(i => (Key: $"card-{i % 37}", Value: i)).ToArray();
        var builder = new PipelineBuilder();
        var partitions = builder.From(input).PartitionBy(x => x.Key, 4);
        var branches = partitions.Select(p => p.Then(x => (x.Key, x.Value, Worker: Environment.CurrentManagedThreadId)).Collect()).ToArray();

        await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        var keyToBranch = new Dictionary<string, int>();
        for (int branch = 0; branch < branches.Length; branch++)
        {
            foreach (var item in branches[branch].Items)
            {
                Assert.Equal(branch, keyToBranch.TryGetValue(item.Key, out int seen) ? seen : keyToBranch[item.Key] = branch);
            }

            foreach (var group in branches[branch].Items.GroupBy(x => x.Key))
            {
                Assert.Equal(input.Where(x => x.Key == group.Key).Select(x => x.Value), group.Select(x => x.Value));
            }
        }

        Assert.Equal(input.Length, branches.Sum(b => b.Items.Count));
        Assert.True(keyToBranch.Values.Distinct().Count() > 1, "keys should spread over partitions");
    }

    [Fact]
    public async Task PartitionBy_StringKeys_SameBranchesInEveryRun()
    {
        // FNV-1a of "card-1" and "card-2" is fixed, so the routing is too (not per-process random).
        static async Task<string[][]> RouteAsync()
        {
            var builder = new PipelineBuilder();
            var branches = builder.From(Enumerable.Range(0, 20).Select(i => $"card-{i}")).PartitionBy(k => k, 3).Select(b => b.Collect()).ToArray();
            await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);
            return branches.Select(b => b.Items.ToArray()).ToArray();
        }

        var first = await RouteAsync();
        var second = await RouteAsync();

        Assert.Equal(first, second);
        Assert.Equal((int)((uint)Flow.Pipeline.Internal.StableHash.Of("card-7") % 3), Array.FindIndex(first, b => b.Contains("card-7")));
    }

    [Fact]
    public async Task Distribute_OneBranch_PassesEverythingThrough()
    {
        var builder = new PipelineBuilder();
        var only = builder.From(Enumerable.Range(0, 10)).Distribute(1).Single().Collect();

        await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(Enumerable.Range(0, 10), only.Items);
    }

    [Fact]
    public async Task ThenMany_ExpandsWithParentSequenceInOrder()
    {
        var builder = new PipelineBuilder();
        var output = builder.From(new[] { 3, 0, 2 })
            .ThenMany(n => Enumerable.Repeat(n, n), new StageOptions { MaxDegreeOfParallelism = 2 })
            .Collect();

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal([3, 3, 3, 2, 2], output.Items);
        Assert.Equal(5, result.Stages[1].ItemsOut);
    }

    [Fact]
    public async Task ThenManyAsync_Expands()
    {
        static async IAsyncEnumerable<string> Words(string line, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            foreach (var w in line.Split(' '))
            {
                await Task.Yield();
                yield return w;
            }
        }

        var builder = new PipelineBuilder();
        var output = builder.From(new[] { "a b", "c" }).ThenManyAsync<string>(Words).Collect();

        await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(["a", "b", "c"], output.Items);
    }

    [Fact]
    public async Task FastProducerSlowStage_InFlightNeverExceedsSumOfCapacities()
    {
        long produced = 0;
        long consumed = 0;
        long maxInFlight = 0;
        IEnumerable<int> Producer()
        {
            for (int i = 0; i < 3_000; i++)
            {
                long inFlight = Interlocked.Increment(ref produced) - Interlocked.Read(ref consumed);
                long seen;
                while (inFlight > (seen = Interlocked.Read(ref maxInFlight)) && Interlocked.CompareExchange(ref maxInFlight, inFlight, seen) != seen)
                {
                }

                yield return i;
            }
        }

        var builder = new PipelineBuilder();
        builder.From(Producer())
            .Then(x => x, new StageOptions { BoundedCapacity = 5 })
            .Then(TestSources.Work, new StageOptions { BoundedCapacity = 3, MaxDegreeOfParallelism = 2 })
            .To(x => { Thread.SpinWait(20_000); Interlocked.Increment(ref consumed); }, new StageOptions { BoundedCapacity = 2 });
        var pipeline = builder.Build();

        await pipeline.RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(10, pipeline.MaxItemsInFlight);
        Assert.Equal(3_000, consumed);
        // The source holds the one item it is trying to hand over.
        Assert.InRange(maxInFlight, 1, pipeline.MaxItemsInFlight + 1);
    }

    [Fact]
    public async Task RequestStop_EndlessSource_DrainsWhatWasReadAndReportsStopped()
    {
        var builder = new PipelineBuilder();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long passed = 0;
        var output = builder.From(TestSources.Endless(), "endless")
            .Then(x => { if (Interlocked.Increment(ref passed) == 100) { reached.TrySetResult(); } return x; }, new StageOptions { MaxDegreeOfParallelism = 2 })
            .Collect();
        var run = builder.Build().Start();
        await reached.Task.WaitAsync(TestSources.Timeout);

        run.RequestStop();
        var result = await run.Completion.WaitAsync(TestSources.Timeout);

        Assert.Equal(PipelineOutcome.Stopped, result.Outcome);
        Assert.Equal(Enumerable.Range(0, output.Items.Count), output.Items);
        Assert.Equal(result["endless"].ItemsOut, output.Items.Count);
    }

    [Fact]
    public async Task Lifecycle_OpenProcessClose_InOrderAndClosedOnFailure()
    {
        var log = new ConcurrentQueue<string>();
        var builder = new PipelineBuilder();
        builder.From(Enumerable.Range(0, 5))
            .Then(new RecordingStage("a", log), new StageOptions { Name = "a" })
            .Then(new RecordingStage("b", log, failOn: 3), new StageOptions { Name = "b" })
            .To(_ => { });

        var error = await Assert.ThrowsAsync<StageFailedException>(() => builder.Build().RunAsync().WaitAsync(TestSources.Timeout));

        Assert.Equal("b", error.StageName);
        var entries = log.ToArray();
        Assert.Equal(["open a", "open b"], entries.Where(e => e.StartsWith("open", StringComparison.Ordinal)).Order());
        Assert.Equal(["close a", "close b"], entries.Where(e => e.StartsWith("close", StringComparison.Ordinal)));
        Assert.True(Array.IndexOf(entries, "close a") > Array.LastIndexOf(entries, entries.Last(e => e.StartsWith("process", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task Open_Fails_NothingRunsAndOpenedStagesClosed()
    {
        var log = new ConcurrentQueue<string>();
        bool sourceRead = false;
        IEnumerable<int> Source()
        {
            sourceRead = true;
            yield return 1;
        }

        var builder = new PipelineBuilder();
        builder.From(Source())
            .Then(new RecordingStage("ok", log), new StageOptions { Name = "ok" })
            .Then(new RecordingStage("model", log, failOpen: true), new StageOptions { Name = "model" })
            .To(_ => { });

        var error = await Assert.ThrowsAsync<StageFailedException>(() => builder.Build().RunAsync().WaitAsync(TestSources.Timeout));

        Assert.Equal("model", error.StageName);
        Assert.Equal(StagePhase.Open, error.Phase);
        Assert.Equal("stage 'model' failed to open: model file 'model.onnx' not found", error.Message);
        Assert.False(sourceRead);
        Assert.DoesNotContain(log, e => e.StartsWith("process", StringComparison.Ordinal));
        Assert.Contains("close ok", log);
        Assert.DoesNotContain("close model", log);
    }

    [Fact]
    public async Task Replicas_FactoryCalledPerWorker_EachInstanceUsedByOneItemAtATime()
    {
        var instances = new ConcurrentBag<ReplicaStage>();
        var builder = new PipelineBuilder();
        var output = builder.From(Enumerable.Range(0, 2_000))
            .Then(() => { var s = new ReplicaStage(); instances.Add(s); return s; }, new StageOptions { MaxDegreeOfParallelism = 4, Name = "model" })
            .Collect();

        await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(4, instances.Count);
        Assert.All(instances, s => Assert.Equal(1, s.MaxConcurrency));
        Assert.All(instances, s => Assert.True(s.Opened && s.Closed));
        Assert.Equal(Enumerable.Range(0, 4), instances.Select(s => s.Replica).Order());
        Assert.Equal(2_000, instances.Sum(s => s.Processed));
        Assert.Equal(Enumerable.Range(0, 2_000).Select(x => x * 2), output.Items);
    }

    [Fact]
    public async Task ChannelSink_WritesAllAndCompletesWriter()
    {
        var channel = Channel.CreateBounded<int>(4);
        var builder = new PipelineBuilder();
        builder.From(Enumerable.Range(0, 100)).To(channel.Writer);
        var run = builder.Build().RunAsync();

        var received = new List<int>();
        await foreach (var x in channel.Reader.ReadAllAsync())
        {
            received.Add(x);
        }

        await run.WaitAsync(TestSources.Timeout);
        Assert.Equal(Enumerable.Range(0, 100), received);
    }

    [Fact]
    public async Task SinkStage_OpenConsumeClose()
    {
        var sink = new ListSink();
        var builder = new PipelineBuilder();
        builder.From(Enumerable.Range(0, 10)).To(sink);

        await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.True(sink.Opened);
        Assert.True(sink.Closed);
        Assert.Equal(Enumerable.Range(0, 10), sink.Items);
    }

    private sealed class RecordingStage(string name, ConcurrentQueue<string> log, int failOn = -1, bool failOpen = false) : IStage<int, int>
    {
        public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
        {
            if (failOpen)
            {
                throw new FileNotFoundException("model file 'model.onnx' not found");
            }

            log.Enqueue($"open {name}");
            return ValueTask.CompletedTask;
        }

        public ValueTask<int> ProcessAsync(int item, CancellationToken cancellationToken)
        {
            log.Enqueue($"process {name} {item}");
            return item == failOn ? throw new InvalidOperationException("boom") : ValueTask.FromResult(item);
        }

        public ValueTask CloseAsync(CancellationToken cancellationToken)
        {
            log.Enqueue($"close {name}");
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ReplicaStage : IStage<int, int>
    {
        private int _active;

        public int Replica { get; private set; } = -1;

        public int MaxConcurrency { get; private set; }

        public int Processed { get; private set; }

        public bool Opened { get; private set; }

        public bool Closed { get; private set; }

        public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
        {
            Replica = context.Replica;
            Opened = context.ReplicaCount == 4 && context.StageName == "model";
            return ValueTask.CompletedTask;
        }

        public async ValueTask<int> ProcessAsync(int item, CancellationToken cancellationToken)
        {
            int active = Interlocked.Increment(ref _active);
            MaxConcurrency = Math.Max(MaxConcurrency, active);
            await Task.Yield();
            TestSources.Work(item);
            Processed++;
            Interlocked.Decrement(ref _active);
            return item * 2;
        }

        public ValueTask CloseAsync(CancellationToken cancellationToken)
        {
            Closed = true;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ListSink : ISinkStage<int>
    {
        public List<int> Items { get; } = [];

        public bool Opened { get; private set; }

        public bool Closed { get; private set; }

        public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
        {
            Opened = true;
            return ValueTask.CompletedTask;
        }

        public ValueTask ConsumeAsync(int item, CancellationToken cancellationToken)
        {
            Items.Add(item);
            return ValueTask.CompletedTask;
        }

        public ValueTask CloseAsync(CancellationToken cancellationToken)
        {
            Closed = true;
            return ValueTask.CompletedTask;
        }
    }
}
