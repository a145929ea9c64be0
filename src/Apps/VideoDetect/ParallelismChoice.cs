using System.Globalization;

namespace Flow.Apps.VideoDetect;

/// <summary>
/// How many detector replicas and FFmpeg decoding threads a <see cref="VideoDetectJob"/> ran with, and why: set by
/// the caller, the fixed default, or chosen from the decoding and detection cost measured on the input's first frames.
/// </summary>
public sealed class ParallelismChoice
{
    private ParallelismChoice(int degreeOfParallelism, int decoderThreads, double? decodeMs, double? detectMs, string reason)
    {
        DegreeOfParallelism = degreeOfParallelism;
        DecoderThreads = decoderThreads;
        DecodeMillisecondsPerFrame = decodeMs;
        DetectMillisecondsPerFrame = detectMs;
        Reason = reason;
    }

    /// <summary>Replicas of the preprocess and detect stages.</summary>
    public int DegreeOfParallelism { get; }

    /// <summary>FFmpeg's decoding threads (meaningful for files and stream URLs).</summary>
    public int DecoderThreads { get; }

    /// <summary>Milliseconds to decode one frame on one thread, measured on the first frames; <see langword="null"/> when not measured.</summary>
    public double? DecodeMillisecondsPerFrame { get; }

    /// <summary>Milliseconds to letterbox and detect one frame on one thread; <see langword="null"/> when not measured.</summary>
    public double? DetectMillisecondsPerFrame { get; }

    /// <summary>Whether the choice came from the measured costs (rather than from the options or the fixed default).</summary>
    public bool Measured => DecodeMillisecondsPerFrame is not null;

    /// <summary>Why: "set", "default", or the measured costs that decided it.</summary>
    public string Reason { get; }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"dop {DegreeOfParallelism}, {DecoderThreads} FFmpeg decoding thread{(DecoderThreads == 1 ? string.Empty : "s")} ({Reason})");

    /// <summary>The settings the caller gave (or their defaults), no measurement.</summary>
    internal static ParallelismChoice Fixed(int degreeOfParallelism, int decoderThreads, string reason) =>
        new(degreeOfParallelism, decoderThreads, null, null, reason);

    /// <summary>
    /// How much of the cores a setting with more busy threads than cores turns into frames, against one with a core per
    /// thread: each woken thread waits for a time slice, and 2 replicas and a decoding thread on 2 cores took up to 15 %
    /// more CPU per frame than 1 and 1. Fitted to the runs of 2026-11-27 12:14 UTC (DOP 2's frame rate ÷ the rate the
    /// costs allow on 2 full cores): 0.78 (vtest.avi, front-128), 0.85 (back-256), 0.94 (generated clip, front-128).
    /// </summary>
    internal const double OversubscribedEfficiency = 0.8;

    /// <summary>
    /// Chooses the replicas and FFmpeg decoding threads from the cost of one frame on one thread. Every setting with at
    /// least one of each and at most one thread more than there are cores is scored by the frame rate it allows: the
    /// least of what its replicas can detect (replicas ÷ detect), what its decoding threads can decode (threads ÷
    /// decode) and what the cores can do in all (cores ÷ (decode + detect), times <see cref="OversubscribedEfficiency"/>
    /// when there are more threads than cores). The best wins; a tie goes to fewer threads, then to more replicas.
    /// On 2 cores this gives 1 replica and 1 thread while neither cost exceeds the other by more than 2/3,
    /// 2 replicas and 1 thread when detection costs more, 1 replica and 2 threads when decoding does.
    /// </summary>
    /// <param name="decodeMs">Milliseconds to decode a frame with one FFmpeg thread.</param>
    /// <param name="detectMs">Milliseconds to letterbox and detect a frame with one session (one intra-op thread).</param>
    /// <param name="processorCount">The cores the process may use.</param>
    /// <returns>The choice, with the figures in its <see cref="Reason"/>.</returns>
    internal static ParallelismChoice FromCosts(double decodeMs, double detectMs, int processorCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(decodeMs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(detectMs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(processorCount);
        double Rate(int replicas, int threads) =>
            Math.Min(Math.Min(replicas / detectMs, threads / decodeMs),
                processorCount / (decodeMs + detectMs) * (replicas + threads > processorCount ? OversubscribedEfficiency : 1));

        // Candidates from the fewest threads up, and among as many threads from the most replicas down: a later one must
        // be strictly better, so a tie goes to fewer threads, then to more replicas.
        (int Replicas, int Threads, double Rate) best = (1, 1, Rate(1, 1));
        for (int total = 2; total <= processorCount + 1; total++)
        {
            for (int replicas = total - 1; replicas >= 1; replicas--)
            {
                double rate = Rate(replicas, total - replicas);
                if (rate > best.Rate * (1 + 1e-9))
                {
                    best = (replicas, total - replicas, rate);
                }
            }
        }

        return new(best.Replicas, best.Threads, decodeMs, detectMs,
            string.Create(CultureInfo.InvariantCulture, $"measured: decode {decodeMs:0.00} ms/frame, detect {detectMs:0.00} ms/frame"));
    }
}
