using System.Threading.Tasks.Dataflow;

namespace Flow.Benchmarks;

/// <summary>
/// A reference variant for the ratio report: the hand-wired baseline moving a 16-byte struct (an
/// item and a 64-bit key, the size of Flow's envelope for an int) instead of the bare int, to show
/// how much of Flow's overhead is the envelope's width alone.
/// </summary>
internal static class EnvelopeReference
{
    private const int Items = 1_000_000;

    public static async Task<long> HandWiredWithEnvelope()
    {
        var options = new ExecutionDataflowBlockOptions { BoundedCapacity = 64 };
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        var add = new TransformBlock<Envelope, Envelope>(x => new Envelope(x.Value + 1, x.Key), options);
        var mul = new TransformBlock<Envelope, Envelope>(x => new Envelope(x.Value * 2, x.Key), options);
        var sub = new TransformBlock<Envelope, Envelope>(x => new Envelope(x.Value - 3, x.Key), options);
        long sum = 0;
        var sink = new ActionBlock<Envelope>(x => sum += x.Value, options);
        add.LinkTo(mul, link);
        mul.LinkTo(sub, link);
        sub.LinkTo(sink, link);
        for (int i = 0; i < Items; i++)
        {
            var item = new Envelope(i, i);
            if (!add.Post(item))
            {
                await add.SendAsync(item).ConfigureAwait(false);
            }
        }

        add.Complete();
        await sink.Completion.ConfigureAwait(false);
        return sum;
    }

    private readonly record struct Envelope(int Value, long Key);
}
