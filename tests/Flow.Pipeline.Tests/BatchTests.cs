using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Flow.Pipeline.Tests;

public class BatchTests
{
    [Theory]
    [InlineData(7, 8)]   // size - 1: one partial batch, flushed on completion
    [InlineData(8, 8)]   // size: one full batch
    [InlineData(9, 8)]   // size + 1: one full, one of 1
    [InlineData(0, 8)]
    [InlineData(17, 8)]
    public async Task Batch_BySize_BoundaryCounts(int items, int size)
    {
        var builder = new PipelineBuilder();
        var batches = builder.From(Enumerable.Range(0, items)).Batch(size).Collect();

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        var expectedSizes = Enumerable.Range(0, (items + size - 1) / size).Select(i => Math.Min(size, items - (i * size)));
        Assert.Equal(expectedSizes, batches.Items.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, items), batches.Items.SelectMany(b => b));
        Assert.Equal(items, result.Stages[1].ItemsIn);
        Assert.Equal(batches.Items.Count, result.Stages[1].ItemsOut);
    }

    [Fact]
    public async Task Batch_MaxDelayOnFakeClock_FlushesPartialBatchWhenDue()
    {
        var clock = new FakeTimeProvider();
        var input = Channel.CreateUnbounded<int>();
        var output = Channel.CreateUnbounded<int[]>();
        var builder = new PipelineBuilder(new PipelineOptions { TimeProvider = clock });
        builder.From(input.Reader).Batch(10, TimeSpan.FromMilliseconds(50)).To(b => output.Writer.TryWrite(b));
        var pipeline = builder.Build();
        var run = pipeline.RunAsync();

        input.Writer.TryWrite(1);
        input.Writer.TryWrite(2);
        input.Writer.TryWrite(3);
        await WaitForBatchInputAsync(pipeline, 3);
        clock.Advance(TimeSpan.FromMilliseconds(49));
        Assert.False(output.Reader.TryRead(out _));

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(new[] { 1, 2, 3 }, await output.Reader.ReadAsync().AsTask().WaitAsync(TestSources.Timeout));

        // The next batch gets its own deadline, counted from its first item.
        input.Writer.TryWrite(4);
        await WaitForBatchInputAsync(pipeline, 4);
        clock.Advance(TimeSpan.FromMilliseconds(30));
        input.Writer.TryWrite(5);
        await WaitForBatchInputAsync(pipeline, 5);
        clock.Advance(TimeSpan.FromMilliseconds(19));
        Assert.False(output.Reader.TryRead(out _));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(new[] { 4, 5 }, await output.Reader.ReadAsync().AsTask().WaitAsync(TestSources.Timeout));

        input.Writer.Complete();
        await run.WaitAsync(TestSources.Timeout);
        Assert.False(output.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Batch_FullBeforeDelay_FlushesBySizeAndTimerDoesNotFlushNextBatchEarly()
    {
        var clock = new FakeTimeProvider();
        var input = Channel.CreateUnbounded<int>();
        var output = Channel.CreateUnbounded<int[]>();
        var builder = new PipelineBuilder(new PipelineOptions { TimeProvider = clock });
        builder.From(input.Reader).Batch(3, TimeSpan.FromMilliseconds(50)).To(b => output.Writer.TryWrite(b));
        var pipeline = builder.Build();
        var run = pipeline.RunAsync();

        for (int i = 0; i < 4; i++)
        {
            input.Writer.TryWrite(i);
        }

        Assert.Equal(new[] { 0, 1, 2 }, await output.Reader.ReadAsync().AsTask().WaitAsync(TestSources.Timeout));
        await WaitForBatchInputAsync(pipeline, 4);
        clock.Advance(TimeSpan.FromMilliseconds(49));
        Assert.False(output.Reader.TryRead(out _));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(new[] { 3 }, await output.Reader.ReadAsync().AsTask().WaitAsync(TestSources.Timeout));

        input.Writer.Complete();
        await run.WaitAsync(TestSources.Timeout);
    }

    [Fact]
    public async Task Batch_GracefulStop_FlushesPartialBatch()
    {
        var output = Channel.CreateUnbounded<int[]>();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = new PipelineBuilder();
        var run = default(PipelineRun);
        builder.From(TestSources.Endless())
            .Then(x => { if (x == 4) { reached.TrySetResult(); } return x; })
            .Batch(1_000_000)
            .To(b => output.Writer.TryWrite(b));
        run = builder.Build().Start();

        await reached.Task.WaitAsync(TestSources.Timeout);
        run.RequestStop();
        var result = await run.Completion.WaitAsync(TestSources.Timeout);

        Assert.True(output.Reader.TryRead(out var batch));
        Assert.Equal(Enumerable.Range(0, batch!.Length), batch);
        Assert.True(batch.Length >= 5);
        Assert.Equal(PipelineOutcome.Stopped, result.Outcome);
    }

    [Fact]
    public async Task Unbatch_RestoresItemsAndSequences()
    {
        var builder = new PipelineBuilder();
        var items = builder.From(Enumerable.Range(0, 100))
            .Batch(7)
            .Then(batch => batch.Select(x => x * 10).ToArray())
            .Unbatch()
            .Then(x => x == 420 ? throw new InvalidOperationException("no") : x, new StageOptions { Name = "check" })
            .Collect();

        var error = await Assert.ThrowsAsync<StageFailedException>(() => builder.Build().RunAsync().WaitAsync(TestSources.Timeout));

        // The item that failed after unbatching carries its own source sequence, not its batch's.
        Assert.Equal("check", error.StageName);
        Assert.Equal(42, error.Sequence);
        // What reached the sink before the failure is an in-order prefix that stops before item 42.
        var received = items.Items;
        Assert.InRange(received.Count, 0, 42);
        Assert.Equal(Enumerable.Range(0, received.Count).Select(x => x * 10), received);
    }

    [Fact]
    public async Task BatchThenUnbatch_EqualsInput()
    {
        var builder = new PipelineBuilder();
        var items = builder.From(Enumerable.Range(0, 1000)).Batch(32).Unbatch().Collect();

        await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(Enumerable.Range(0, 1000), items.Items);
    }

    /// <summary>Waits (without a clock) until the batch stage has taken <paramref name="count"/> items.</summary>
    private static async Task WaitForBatchInputAsync(Pipeline pipeline, long count)
    {
        var deadline = DateTime.UtcNow + TestSources.Timeout;
        while (pipeline.Monitor.Snapshot() is var s && (s.Stages.Count == 0 || s.Stages[1].ItemsIn < count))
        {
            Assert.True(DateTime.UtcNow < deadline, "the batch stage never received its input");
            await Task.Yield();
        }
    }
}
