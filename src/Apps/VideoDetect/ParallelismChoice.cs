using System.Globalization;

namespace Flow.Apps.VideoDetect;

/// <summary>
/// How many detector replicas, FFmpeg decoding threads and preprocessed frames held in front of the detector a
/// <see cref="VideoDetectJob"/> ran with, and why: set by the caller, the fixed default, or chosen from the decoding and
/// detection cost measured on the input's first frames.
/// </summary>
public sealed class ParallelismChoice
{
    private ParallelismChoice(int degreeOfParallelism, int decoderThreads, int preprocessCapacity, double? decodeMs, double? detectMs, string reason)
    {
        DegreeOfParallelism = degreeOfParallelism;
        DecoderThreads = decoderThreads;
        PreprocessCapacity = preprocessCapacity;
        DecodeMillisecondsPerFrame = decodeMs;
        DetectMillisecondsPerFrame = detectMs;
        Reason = reason;
    }

    /// <summary>Replicas of the preprocess and detect stages.</summary>
    public int DegreeOfParallelism { get; }

    /// <summary>FFmpeg's decoding threads (meaningful for files and stream URLs).</summary>
    public int DecoderThreads { get; }

    /// <summary>
    /// Frames the preprocess stage holds for a file or folder (live inputs hold 1): about as many as it has workers
    /// (<see cref="ShallowCapacity"/>), or <see cref="DecodeBoundCapacity"/> when the measured costs say decoding limits
    /// the frame rate (see <see cref="FromCosts"/>).
    /// </summary>
    public int PreprocessCapacity { get; }

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
        $"dop {DegreeOfParallelism}, {DecoderThreads} FFmpeg decoding thread{(DecoderThreads == 1 ? string.Empty : "s")}, preprocess holds {PreprocessCapacity} ({Reason})");

    /// <summary>The settings the caller gave (or their defaults), no measurement; preprocess holds <see cref="ShallowCapacity"/>.</summary>
    internal static ParallelismChoice Fixed(int degreeOfParallelism, int decoderThreads, string reason) =>
        new(degreeOfParallelism, decoderThreads, ShallowCapacity(degreeOfParallelism), null, null, reason);

    /// <summary>
    /// The preprocess stage's usual capacity: about as many frames as it has workers, max(2, replicas). Every frame queued
    /// in front of a detector that is the bottleneck adds its detection time to the latency.
    /// </summary>
    /// <param name="degreeOfParallelism">The replicas.</param>
    /// <returns>The capacity.</returns>
    internal static int ShallowCapacity(int degreeOfParallelism) => Math.Max(2, degreeOfParallelism);

    /// <summary>
    /// The preprocess capacity when decoding limits the frame rate: with decode and detect costs close, a short stall of
    /// the detector filled the 2 places in front of it and stopped the decoder, the bottleneck. On the generated clip
    /// (2026-11-27 15:31 UTC, 8 rounds) 2 places reached 90 % of decode-only fps in 4 rounds, 4 in 6, 8 in 7; the queue
    /// stays short there in most rounds (p50 1.3-1.4 ms in 7 of 8), because the detector keeps up with the decoder.
    /// </summary>
    internal const int DecodeBoundCapacity = 8;

    /// <summary>
    /// How close to the detectors' frame rate the decoder's must come for the deeper queue: decoding counts as the
    /// bottleneck when its rate (threads ÷ decode ms) is at most this many times the replicas' (replicas ÷ detect ms).
    /// The generated clip measures decode 1.44-1.58 / detect 1.28-1.54 ms (decode ÷ detect 0.94-1.23); vtest.avi with
    /// front-128 typically 0.90-1.01 / 1.28-1.41 ms (0.64-0.79), where the detector is the bottleneck and a deeper
    /// queue would fill and lengthen the latency.
    /// </summary>
    internal const double DecodeBoundMargin = 1.1;

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
    /// The preprocess stage then holds <see cref="DecodeBoundCapacity"/> frames when the chosen decoding threads allow at
    /// most <see cref="DecodeBoundMargin"/> times the frame rate of the chosen replicas (decoding is the bottleneck or
    /// close to it), else <see cref="ShallowCapacity"/>, so a detector that is the bottleneck keeps today's short queue.
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

        bool decodeBound = best.Threads / decodeMs <= DecodeBoundMargin * best.Replicas / detectMs;
        int capacity = decodeBound ? Math.Max(DecodeBoundCapacity, best.Replicas) : ShallowCapacity(best.Replicas);
        return new(best.Replicas, best.Threads, capacity, decodeMs, detectMs,
            string.Create(CultureInfo.InvariantCulture, $"measured: decode {decodeMs:0.00} ms/frame, detect {detectMs:0.00} ms/frame"));
    }
}
