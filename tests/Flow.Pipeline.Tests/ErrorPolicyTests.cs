using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Flow.Pipeline.Tests;

public class ErrorPolicyTests
{
    private static readonly int[] Bad = [3, 17, 18, 250];

    private static int FailOnBad(int x) => Bad.Contains(x) ? throw new FormatException($"record {x} is malformed") : x;

    [Fact]
    public async Task Skip_DropsFailedItems_KeepsOrderOfSurvivorsAtDop4()
    {
        var builder = new PipelineBuilder();
        var output = builder.From(Enumerable.Range(0, 1_000))
            .Then(x => FailOnBad(TestSources.Work(x)), new StageOptions { Name = "parse", MaxDegreeOfParallelism = 4, ErrorPolicy = ErrorPolicy.Skip })
            .Collect();

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(Enumerable.Range(0, 1_000).Except(Bad), output.Items);
        Assert.Equal(Bad.Length, result["parse"].Skipped);
        Assert.Equal(1_000 - Bad.Length, result["parse"].ItemsOut);
        Assert.Empty(result.DeadLetters);
    }

    [Fact]
    public async Task DeadLetter_RecordsItemExceptionStageSequence_KeepsOrder()
    {
        var handled = new ConcurrentQueue<DeadLetter>();
        var builder = new PipelineBuilder();
        var output = builder.From(Enumerable.Range(0, 1_000).Select(i => $"row{i}"))
            .ThenAsync(async (s, ct) => { await Task.Yield(); return FailOnBad(int.Parse(s[3..], System.Globalization.CultureInfo.InvariantCulture)); }, new StageOptions { Name = "parse", MaxDegreeOfParallelism = 4, ErrorPolicy = ErrorPolicy.DeadLetter })
            .Collect();
        builder.OnDeadLetter(handled.Enqueue);

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(Enumerable.Range(0, 1_000).Except(Bad), output.Items);
        Assert.Equal(Bad, result.DeadLetters.Select(d => d.Sequence).Order().Select(s => (int)s));
        Assert.All(result.DeadLetters, d =>
        {
            Assert.Equal("parse", d.Stage);
            Assert.Equal($"row{d.Sequence}", d.Item);
            Assert.Equal($"record {d.Sequence} is malformed", d.Reason);
            Assert.IsType<FormatException>(d.Exception);
            Assert.Equal(1, d.Attempts);
        });
        Assert.Equal(Bad.Length, handled.Count);
        Assert.Equal(Bad.Length, result["parse"].DeadLettered);
    }

    [Fact]
    public async Task Retry_TransientFailure_RetriesExactlyAndSucceeds()
    {
        var attempts = new ConcurrentDictionary<int, int>();
        var builder = new PipelineBuilder();
        var output = builder.From(Enumerable.Range(0, 20))
            .Then(x => attempts.AddOrUpdate(x, 1, (_, n) => n + 1) <= 2 && x == 5 ? throw new TimeoutException("slow") : x, new StageOptions { Name = "call", ErrorPolicy = ErrorPolicy.Retry(3) })
            .Collect();

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(Enumerable.Range(0, 20), output.Items);
        Assert.Equal(3, attempts[5]);
        Assert.Equal(2, result["call"].Retries);
    }

    [Fact]
    public async Task Retry_Exhausted_FallsBackToDeadLetterWithAttemptCount()
    {
        int calls = 0;
        var builder = new PipelineBuilder();
        var output = builder.From(Enumerable.Range(0, 10))
            .Then(x => { if (x == 4) { Interlocked.Increment(ref calls); throw new IOException("down"); } return x; }, new StageOptions { Name = "call", ErrorPolicy = ErrorPolicy.Retry(2, then: ErrorPolicy.DeadLetter) })
            .Collect();

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(3, calls);
        var letter = Assert.Single(result.DeadLetters);
        Assert.Equal(4, letter.Sequence);
        Assert.Equal(3, letter.Attempts);
        Assert.Equal(Enumerable.Range(0, 10).Where(x => x != 4), output.Items);
    }

    [Fact]
    public async Task Retry_ExhaustedWithDefaultFallback_StopsNamingStage()
    {
        var builder = new PipelineBuilder();
        builder.From(Enumerable.Range(0, 10))
            .Then(x => x == 6 ? throw new IOException("down") : x, new StageOptions { Name = "call", ErrorPolicy = ErrorPolicy.Retry(1) })
            .To(_ => { });

        var error = await Assert.ThrowsAsync<StageFailedException>(() => builder.Build().RunAsync().WaitAsync(TestSources.Timeout));

        Assert.Equal("call", error.StageName);
        Assert.Equal(6, error.Sequence);
    }

    [Fact]
    public async Task Retry_RetryOnFilter_NonRetryableGoesStraightToFallback()
    {
        int calls = 0;
        var builder = new PipelineBuilder();
        builder.From(Enumerable.Range(0, 3))
            .Then(x => { if (x == 1) { Interlocked.Increment(ref calls); throw new ArgumentException("permanent"); } return x; }, new StageOptions { ErrorPolicy = ErrorPolicy.Retry(5, then: ErrorPolicy.Skip, retryOn: e => e is IOException) })
            .To(_ => { });

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(1, calls);
        Assert.Equal(1, result.Stages[1].Skipped);
    }

    [Fact]
    public async Task Retry_Backoff_WaitsOnPipelineClockWithGrowth()
    {
        var clock = new FakeTimeProvider();
        var calls = new ConcurrentQueue<DateTimeOffset>();
        var builder = new PipelineBuilder(new PipelineOptions { TimeProvider = clock });
        var output = builder.From(new[] { 1 })
            .Then(
                x =>
                {
                    calls.Enqueue(clock.GetUtcNow());
                    return calls.Count switch
                    {
                        1 => throw new IOException("first"),
                        2 => throw new IOException("second"),
                        _ => x,
                    };
                },
                new StageOptions { ErrorPolicy = ErrorPolicy.Retry(3, TimeSpan.FromSeconds(1), multiplier: 3) })
            .Collect();
        var pipeline = builder.Build();
        var run = pipeline.RunAsync();

        await WaitForAsync(() => RetriesOf(pipeline) == 1);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Single(calls);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await WaitForAsync(() => RetriesOf(pipeline) == 2);
        clock.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.Equal(2, calls.Count);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await run.WaitAsync(TestSources.Timeout);

        var times = calls.ToArray();
        Assert.Equal(TimeSpan.FromSeconds(1), times[1] - times[0]);
        Assert.Equal(TimeSpan.FromSeconds(3), times[2] - times[1]);
        Assert.Equal([1], output.Items);
    }

    private static long RetriesOf(Pipeline pipeline) => pipeline.Monitor.Snapshot() is { Stages.Count: > 1 } s ? s.Stages[1].Retries : 0;

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TestSources.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition never became true");
            await Task.Yield();
        }
    }

    [Fact]
    public async Task Sink_RetryThenDeadLetter_CountsAttemptsAndConsumesSurvivorsOnce()
    {
        var attempts = new ConcurrentDictionary<int, int>();
        var consumed = new List<int>();
        var builder = new PipelineBuilder();
        builder.From(Enumerable.Range(0, 50))
            .To(
                x =>
                {
                    int attempt = attempts.AddOrUpdate(x, 1, (_, n) => n + 1);
                    if ((x == 7 && attempt <= 2) || x == 30)
                    {
                        throw new IOException($"write {x} failed");
                    }

                    consumed.Add(x);
                },
                new StageOptions { Name = "writer", ErrorPolicy = ErrorPolicy.Retry(3, then: ErrorPolicy.DeadLetter) });

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(Enumerable.Range(0, 50).Where(x => x != 30), consumed);
        Assert.Equal(3, attempts[7]);
        Assert.Equal(4, attempts[30]);
        Assert.Equal(2 + 3, result["writer"].Retries);
        var letter = Assert.Single(result.DeadLetters);
        Assert.Equal(("writer", 30L, 4), (letter.Stage, letter.Sequence, letter.Attempts));
        Assert.Equal(49, result["writer"].ItemsOut);
        Assert.Equal(1, result["writer"].DeadLettered);
    }
}
