using System.Runtime.CompilerServices;

namespace Flow.Pipeline.Tests;

public class FullModeTests
{
    /// <summary>
    /// Item 0 occupies the only worker; items 1–9 arrive while it is busy; then the worker is freed.
    /// What each mode keeps of 1–9 is fully determined.
    /// </summary>
    [Theory]
    [InlineData(FullMode.LatestOnly, new[] { 0, 9 }, 8)]
    [InlineData(FullMode.DropOldest, new[] { 0, 7, 8, 9 }, 6)]
    [InlineData(FullMode.DropNewest, new[] { 0, 1, 2, 3 }, 6)]
    public async Task FullMode_BusyWorker_DropsExactlyWhatTheModeSays(FullMode mode, int[] expected, int expectedDropped)
    {
        var busy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async IAsyncEnumerable<int> Source([EnumeratorCancellation] CancellationToken ct = default)
        {
            yield return 0;
            await busy.Task;
            for (int i = 1; i <= 9; i++)
            {
                yield return i;
            }

            // Resumed only after item 9 was handed over.
            release.SetResult();
        }

        var builder = new PipelineBuilder();
        var output = builder.From(Source())
            .ThenAsync(
                async (x, ct) =>
                {
                    if (x == 0)
                    {
                        busy.SetResult();
                        await release.Task;
                    }

                    return x;
                },
                new StageOptions { Name = "detect", FullMode = mode, BoundedCapacity = 3 })
            .Collect();

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(expected, output.Items);
        Assert.Equal(expectedDropped, result["detect"].Dropped);
        Assert.Equal(expected.Length, result["detect"].ItemsOut);
    }

    [Fact]
    public async Task FullMode_LatestOnly_OnASynchronousSink_KeepsFirstAndLatest()
    {
        var busy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();

        async IAsyncEnumerable<int> Source([EnumeratorCancellation] CancellationToken ct = default)
        {
            yield return 0;
            await busy.Task;
            for (int i = 1; i <= 9; i++)
            {
                yield return i;
            }

            // Resumed only after item 9 was handed over.
            release.Set();
        }

        var consumed = new List<int>();
        var builder = new PipelineBuilder();
        builder.From(Source()).To(
            x =>
            {
                if (x == 0)
                {
                    busy.SetResult();
                    release.Wait();
                }

                consumed.Add(x);
            },
            new StageOptions { Name = "display", FullMode = FullMode.LatestOnly, BoundedCapacity = 1 });

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal([0, 9], consumed);
        Assert.Equal(8, result["display"].Dropped);
        Assert.Equal(2, result["display"].ItemsOut);
    }

    [Fact]
    public async Task FullMode_LatestOnly_DisposesShedItems()
    {
        var busy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var frames = Enumerable.Range(0, 10).Select(i => new Frame(i)).ToArray();

        async IAsyncEnumerable<Frame> Source([EnumeratorCancellation] CancellationToken ct = default)
        {
            yield return frames[0];
            await busy.Task;
            for (int i = 1; i <= 9; i++)
            {
                yield return frames[i];
            }

            release.SetResult();
        }

        var builder = new PipelineBuilder();
        var output = builder.From(Source())
            .ThenAsync(async (f, ct) => { if (f.Index == 0) { busy.SetResult(); await release.Task; } return f.Index; }, new StageOptions { FullMode = FullMode.LatestOnly })
            .Collect();

        await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal([0, 9], output.Items);
        Assert.Equal(Enumerable.Range(1, 8), frames.Where(f => f.Disposed).Select(f => f.Index));
    }

    private sealed class Frame(int index) : IDisposable
    {
        public int Index { get; } = index;

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    [Fact]
    public async Task FullMode_Wait_LosesNothingUnderBackpressure()
    {
        var builder = new PipelineBuilder();
        var output = builder.From(Enumerable.Range(0, 2_000))
            .Then(TestSources.Work, new StageOptions { Name = "slow", BoundedCapacity = 2 })
            .Collect();

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(Enumerable.Range(0, 2_000), output.Items);
        Assert.Equal(0, result["slow"].Dropped);
        Assert.True(result.Stages[0].BlockedTime > TimeSpan.Zero, "the source should have waited on the slow stage");
    }

    [Fact]
    public async Task FullMode_LatestOnlyWithParallelWorkers_KeepsOrderOfWhatSurvives()
    {
        var builder = new PipelineBuilder();
        var output = builder.From(Enumerable.Range(0, 5_000))
            .Then(TestSources.Work, new StageOptions { Name = "detect", FullMode = FullMode.LatestOnly, MaxDegreeOfParallelism = 2 })
            .Collect();

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        var items = output.Items;
        Assert.Equal(items.Order(), items);
        Assert.Equal(items.Distinct().Count(), items.Count);
        Assert.Equal(5_000, items.Count + result["detect"].Dropped);
        Assert.Equal(4_999, items[^1]);
    }
}
