using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace Flow.Pipeline.Tests;

public class MetricsTests
{
    [Fact]
    public async Task Counts_EqualTheItemsThatPassed()
    {
        var builder = new PipelineBuilder();
        builder.From(Enumerable.Range(0, 1_000), "numbers")
            .Then(x => x % 10 == 0 ? throw new FormatException("bad") : x, new StageOptions { Name = "parse", ErrorPolicy = ErrorPolicy.Skip, MaxDegreeOfParallelism = 2 })
            .ThenMany(x => x % 2 == 0 ? new[] { x, x } : [], new StageOptions { Name = "split" })
            .Batch(16, options: new StageOptions { Name = "batch" })
            .To(_ => { }, new StageOptions { Name = "sink" });

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(1_000, result["numbers"].ItemsOut);
        Assert.Equal(1_000, result["parse"].ItemsIn);
        Assert.Equal(900, result["parse"].ItemsOut);
        Assert.Equal(100, result["parse"].Skipped);
        Assert.Equal(900, result["split"].ItemsIn);
        Assert.Equal(800, result["split"].ItemsOut);
        Assert.Equal(800, result["batch"].ItemsIn);
        Assert.Equal(50, result["batch"].ItemsOut);
        Assert.Equal(50, result["sink"].ItemsIn);
        Assert.Equal(50, result["sink"].ItemsOut);
    }

    [Fact]
    public async Task Latency_OnFakeClock_IsExact()
    {
        var clock = new FakeTimeProvider();
        var builder = new PipelineBuilder(new PipelineOptions { TimeProvider = clock });
        builder.From(Enumerable.Range(0, 100))
            .Then(x => { clock.Advance(TimeSpan.FromMilliseconds(x < 50 ? 2 : 10)); return x; }, new StageOptions { Name = "model" })
            .To(_ => { }, new StageOptions { Name = "sink" });

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        var model = result["model"];
        Assert.Equal(2.0, model.LatencyP50.TotalMilliseconds, 1);
        Assert.Equal(10.0, model.LatencyP99.TotalMilliseconds, 1);
        Assert.InRange(model.BusyRatio, 0.99, 1.0);
        Assert.Equal("model", result.Bottleneck?.StageName);
    }

    [Fact]
    public async Task Meter_PublishesCountersAndDurationsUnderFlowName()
    {
        var counters = new ConcurrentDictionary<(string Instrument, string Stage), long>();
        int durations = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Flow" && instrument.Meter.Tags?.Any(t => t.Key == "flow.pipeline" && (string?)t.Value == "metered") == true)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => counters[(instrument.Name, StageOf(tags))] = value);
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "flow.stage.item.duration" && StageOf(tags) == "work")
            {
                Interlocked.Increment(ref durations);
            }
        });
        listener.Start();

        var atLast = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Items slower than the sampling threshold are all timed, so each one records a duration.
        var clock = new FakeTimeProvider();
        var builder = new PipelineBuilder(new PipelineOptions { Name = "metered", TimeProvider = clock });
        builder.From(Enumerable.Range(0, 500), "numbers")
            .Then(x => { clock.Advance(TimeSpan.FromMicroseconds(10)); return x; }, new StageOptions { Name = "work" })
            .ToAsync(async (x, ct) => { if (x == 499) { atLast.SetResult(); await release.Task; } }, new StageOptions { Name = "sink" });
        var run = builder.Build().RunAsync();

        await atLast.Task.WaitAsync(TestSources.Timeout);
        listener.RecordObservableInstruments();
        release.SetResult();
        await run.WaitAsync(TestSources.Timeout);

        Assert.Equal(500, counters[("flow.stage.items_out", "numbers")]);
        Assert.Equal(500, counters[("flow.stage.items_out", "work")]);
        Assert.Equal(500, counters[("flow.stage.items_in", "sink")]);
        Assert.Equal(499, counters[("flow.stage.items_out", "sink")]);
        Assert.Equal(500, durations);
    }

    [Fact]
    public async Task FastItems_AreSampled_BusyTimeScaledToAllItems()
    {
        // 1 µs per item is under the 5 µs threshold: after the first two items (the first is timed and found
        // fast), one item in 128 (StageMetrics.FastSampleEvery) is timed, and busy time is scaled up by
        // items/timed, so it still covers all 3,200 µs of work. Timed: items 1, 2, 130, 258, …, 3074 = 2 + 24.
        int timed = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "flow.stage.item.duration" && instrument.Meter.Tags?.Any(t => t.Key == "flow.pipeline" && (string?)t.Value == "sampled") == true)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            if (StageOf(tags) == "fast")
            {
                Interlocked.Increment(ref timed);
            }
        });
        listener.Start();
        var clock = new FakeTimeProvider();
        var builder = new PipelineBuilder(new PipelineOptions { Name = "sampled", TimeProvider = clock });
        builder.From(Enumerable.Range(0, 3_200)).Then(x => { clock.Advance(TimeSpan.FromMicroseconds(1)); return x; }, new StageOptions { Name = "fast" }).To(_ => { });

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(3_200, result["fast"].ItemsOut);
        Assert.Equal(2 + ((3_200 - 2) / 128), timed);
        Assert.Equal(0.001, result["fast"].LatencyP50.TotalMilliseconds, 4);
        Assert.InRange(result["fast"].BusyRatio, 0.99, 1.0);
    }

    [Fact]
    public async Task MetricsDisabled_CountsStillExact_NoLatency()
    {
        var builder = new PipelineBuilder(new PipelineOptions { MetricsEnabled = false });
        builder.From(Enumerable.Range(0, 300)).Then(x => x, new StageOptions { Name = "work" }).To(_ => { });

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(300, result["work"].ItemsOut);
        Assert.Equal(TimeSpan.Zero, result["work"].LatencyP99);
    }

    [Fact]
    public async Task Report_NamesEveryStageAndTheBottleneck()
    {
        var clock = new FakeTimeProvider();
        var builder = new PipelineBuilder(new PipelineOptions { Name = "demo", TimeProvider = clock });
        builder.From(Enumerable.Range(0, 50), "frames")
            .Then(x => { clock.Advance(TimeSpan.FromMilliseconds(20)); return x; }, new StageOptions { Name = "detect" })
            .To(_ => { }, new StageOptions { Name = "write" });

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);
        string report = result.FormatReport();

        Assert.StartsWith("pipeline 'demo' completed in ", report, StringComparison.Ordinal);
        Assert.Contains("frames", report, StringComparison.Ordinal);
        Assert.Contains("detect", report, StringComparison.Ordinal);
        Assert.Contains("write", report, StringComparison.Ordinal);
        Assert.EndsWith("bottleneck: 'detect' (busy 100% of 1 worker(s))", report, StringComparison.Ordinal);
    }

    private static string StageOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "flow.stage")
            {
                return (string)tag.Value!;
            }
        }

        return string.Empty;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EndToEnd_AtSink_CoversEveryStage_AlsoThroughBatchAndUnbatch(bool batched)
    {
        // The model advances the clock 10 ms per call after the items were stamped, so every timed
        // item is at least 10 ms old at the sink; an item that lost its timed flag is not measured.
        var clock = new FakeTimeProvider();
        var builder = new PipelineBuilder(new PipelineOptions { TimeProvider = clock });
        var source = builder.From(Enumerable.Range(0, 64));
        var model = new StageOptions { Name = "model" };
        var scored = batched
            ? source.Batch(8).Then(b => { clock.Advance(TimeSpan.FromMilliseconds(10)); return b; }, model).Unbatch()
            : source.Then(x => { clock.Advance(TimeSpan.FromMilliseconds(10)); return x; }, model);
        scored.To(_ => { }, new StageOptions { Name = "sink" });

        var result = await builder.Build().RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Equal(64, result["sink"].ItemsOut);
        Assert.True(result["sink"].EndToEndP50 >= TimeSpan.FromMilliseconds(10), $"end-to-end p50 {result["sink"].EndToEndP50}");
        Assert.True(result["sink"].EndToEndP99 >= result["sink"].EndToEndP50);
    }
}
