using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using BenchmarkDotNet.Attributes;
using Flow.Pipeline;

namespace Flow.Benchmarks;

/// <summary>
/// Per-item cost of the same 4-stage trivial graph (source → +1 → ×2 → −3 → sum sink, 1M ints,
/// capacity 64 per stage, one worker each) built three ways: with Flow (metrics on and off), wired
/// by hand with TPL Dataflow blocks (the baseline), and with System.Threading.Channels.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(2)]
[IterationCount(10)]
public class PipelineOverheadBenchmarks
{
    private const int Items = 1_000_000;
    private const int Capacity = 64;
    private static readonly long Expected = Enumerable.Range(0, Items).Sum(x => (((long)x + 1) * 2) - 3);

    [Benchmark(Baseline = true, OperationsPerInvoke = Items, Description = "TPL Dataflow, hand-wired")]
    public async Task<long> HandWiredDataflow()
    {
        var options = new ExecutionDataflowBlockOptions { BoundedCapacity = Capacity };
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        var add = new TransformBlock<int, int>(x => x + 1, options);
        var mul = new TransformBlock<int, int>(x => x * 2, options);
        var sub = new TransformBlock<int, int>(x => x - 3, options);
        long sum = 0;
        var sink = new ActionBlock<int>(x => sum += x, options);
        add.LinkTo(mul, link);
        mul.LinkTo(sub, link);
        sub.LinkTo(sink, link);
        for (int i = 0; i < Items; i++)
        {
            if (!add.Post(i))
            {
                await add.SendAsync(i).ConfigureAwait(false);
            }
        }

        add.Complete();
        await sink.Completion.ConfigureAwait(false);
        return Check(sum);
    }

    [Benchmark(OperationsPerInvoke = Items, Description = "Flow, metrics on")]
    public Task<long> FlowMetricsOn() => RunFlowAsync(metrics: true);

    [Benchmark(OperationsPerInvoke = Items, Description = "Flow, metrics off")]
    public Task<long> FlowMetricsOff() => RunFlowAsync(metrics: false);

    [Benchmark(OperationsPerInvoke = Items, Description = "System.Threading.Channels")]
    public async Task<long> Channels()
    {
        var options = new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = true };
        var c1 = Channel.CreateBounded<int>(options);
        var c2 = Channel.CreateBounded<int>(options);
        var c3 = Channel.CreateBounded<int>(options);
        var c4 = Channel.CreateBounded<int>(options);
        var stages = new[]
        {
            Task.Run(() => Transform(c1.Reader, c2.Writer, x => x + 1)),
            Task.Run(() => Transform(c2.Reader, c3.Writer, x => x * 2)),
            Task.Run(() => Transform(c3.Reader, c4.Writer, x => x - 3)),
        };
        var sink = Task.Run(async () =>
        {
            long sum = 0;
            var reader = c4.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out int x))
                {
                    sum += x;
                }
            }

            return sum;
        });
        var writer = c1.Writer;
        for (int i = 0; i < Items; i++)
        {
            if (!writer.TryWrite(i))
            {
                await writer.WriteAsync(i).ConfigureAwait(false);
            }
        }

        writer.Complete();
        await Task.WhenAll(stages).ConfigureAwait(false);
        return Check(await sink.ConfigureAwait(false));
    }

    private static async Task Transform(ChannelReader<int> reader, ChannelWriter<int> writer, Func<int, int> f)
    {
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out int x))
            {
                int y = f(x);
                if (!writer.TryWrite(y))
                {
                    await writer.WriteAsync(y).ConfigureAwait(false);
                }
            }
        }

        writer.Complete();
    }

    private static async Task<long> RunFlowAsync(bool metrics)
    {
        var builder = new PipelineBuilder(new PipelineOptions { MetricsEnabled = metrics });
        var options = new StageOptions { BoundedCapacity = Capacity };
        long sum = 0;
        builder.From(Enumerable.Range(0, Items))
            .Then(x => x + 1, options)
            .Then(x => x * 2, options)
            .Then(x => x - 3, options)
            .To(x => sum += x, options);
        await builder.Build().RunAsync().ConfigureAwait(false);
        return Check(sum);
    }

    private static long Check(long sum) => sum == Expected ? sum : throw new InvalidOperationException($"wrong sum {sum}, expected {Expected}");
}
