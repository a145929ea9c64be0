using System.Diagnostics;
using System.Threading.Channels;
using System.Runtime.InteropServices;
using Flow.Pipeline;
using Flow.Stages.Video;

namespace Flow.Apps.VideoDetect;

/// <summary>
/// Measures, before a file's run, what one frame costs to decode (one FFmpeg thread) and to letterbox and detect
/// (one session, opened here and then handed to the pipeline as its first replica, so its start-up is not wasted).
/// Each figure is the median of <see cref="TimedFrames"/> times, in CPU time of the thread doing the work, taken while
/// decoding and detection run on two cores at once, as they do in the pipeline (nothing else of the job runs yet).
/// Nothing is computed twice: the frames are decoded by the run's own source, ahead of the run
/// (<see cref="VideoSource.ReadAhead"/>), and the frames detected are the run's first frames, whose detections the
/// pipeline then passes on (<see cref="DetectedAhead"/>).
/// </summary>
internal static class FrameCostProbe
{
    /// <summary>Frames timed for each figure: the last of <see cref="DecodedFrames"/> decoded, and the detections after the first.</summary>
    public const int TimedFrames = 4;

    /// <summary>Frames decoded ahead of the run (and handed to it) at least; more while the detections go on.</summary>
    public const int DecodedFrames = 12;

    /// <summary>The most frames decoded ahead of the run: as many images as the source allocates at open.</summary>
    public const int MaxFramesAhead = VideoSourceOptions.MaxPreallocatedImages;

    /// <summary>
    /// Frames detected ahead of the run at least: one untimed (the session's first call), then <see cref="TimedFrames"/>
    /// timed; more while the decoding goes on.
    /// </summary>
    public const int DetectedFrames = TimedFrames + 1;

    /// <summary>
    /// Inputs shorter than this are not measured: the choice is worth most on long runs, and the fixed defaults serve
    /// short ones.
    /// </summary>
    public const long MinFrames = 100;

    /// <summary>
    /// Decodes the first frames with <paramref name="source"/> (open, one FFmpeg thread, images allocated at open so
    /// no timed frame pays for fresh memory) and runs the opened <paramref name="detector"/> on the first of them.
    /// Returns <see langword="null"/> when the input is too short or cannot be read (the run then reports the problem
    /// itself); the frames read ahead stay with the source either way.
    /// </summary>
    /// <param name="source">The run's source, opened, not yet read.</param>
    /// <param name="format">The detector's input format.</param>
    /// <param name="detector">The detector, opening (<paramref name="opening"/>) while the frames are decoded.</param>
    /// <param name="opening">The detector's open, started by the caller.</param>
    /// <param name="cancellationToken">Stops the measurement.</param>
    public static async Task<(double DecodeMs, double DetectMs, DetectedAhead Detected)?> MeasureAsync(
        VideoSource source, TensorFormat format, IStage<TensorFrame[], DetectionFrame[]> detector, Task opening, CancellationToken cancellationToken)
    {
        if (source.DeclaredFrameCount is not { } declared || declared < MinFrames)
        {
            return null;
        }

        // Only the decoding of frames 8 to 11 is timed: vtest.avi's first four took 2-3 ms each, its 8th to 12th about 1 ms
        // (the `probe` bench mode, 12:10 UTC). Detection is timed on another core while this one decodes, as in the
        // pipeline: it takes the frames in order as they are decoded, once the session is open. Each side goes on with
        // work the run needs until the other has its figures too (this one up to MaxFramesAhead), so neither core waits
        // for the other more than one frame.
        var decoded = Channel.CreateUnbounded<Frame>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var progress = new Progress();
        var decodeMs = new double[TimedFrames];
        var detecting = Task.Run(() => DetectAsync(decoded.Reader, progress, format, detector, opening, cancellationToken), cancellationToken);
        try
        {
            for (int i = 0; i < MaxFramesAhead && !detecting.IsCompleted; i++)
            {
                if (i >= DecodedFrames && Volatile.Read(ref progress.Detected) >= DetectedFrames)
                {
                    break;
                }

                double started = ThreadMilliseconds();
                var frame = source.ReadAhead();
                double elapsed = ThreadMilliseconds() - started;
                if (frame is null)
                {
                    return null;
                }

                decoded.Writer.TryWrite(frame);
                if (i is >= DecodedFrames - TimedFrames and < DecodedFrames)
                {
                    decodeMs[i - (DecodedFrames - TimedFrames)] = elapsed;
                }
            }

            Volatile.Write(ref progress.DecodingDone, true);
            decoded.Writer.TryComplete();
            var (detectMs, detections) = await detecting.ConfigureAwait(false);
            return (Median(decodeMs), detectMs, new DetectedAhead(detections));
        }
        finally
        {
            Volatile.Write(ref progress.DecodingDone, true);
            decoded.Writer.TryComplete();
            if (!detecting.IsCompleted)
            {
                await Task.WhenAny(detecting).ConfigureAwait(false); // the frames it reads stay valid until the source closes
            }
        }
    }

    private static async Task<(double, IReadOnlyList<Detection>[])> DetectAsync(
        ChannelReader<Frame> frames, Progress progress, TensorFormat format, IStage<TensorFrame[], DetectionFrame[]> detector, Task opening,
        CancellationToken cancellationToken)
    {
        await opening.ConfigureAwait(false);
        var detectMs = new List<double>();
        var detections = new List<IReadOnlyList<Detection>>();
        while (await frames.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (detections.Count >= DetectedFrames && Volatile.Read(ref progress.DecodingDone))
            {
                break;
            }

            frames.TryRead(out var frame);
            double started = ThreadMilliseconds();
            long startedWall = Stopwatch.GetTimestamp();
            var detecting = detector.ProcessAsync([FrameTensors.Letterbox(frame!, format)], cancellationToken);
            bool onThisThread = detecting.IsCompleted; // the ONNX stages run synchronously, on this thread
            double cpu = ThreadMilliseconds() - started;
            detections.Add((await detecting.ConfigureAwait(false))[0].Detections);
            Volatile.Write(ref progress.Detected, detections.Count);
            if (detections.Count > 1)
            {
                detectMs.Add(onThisThread ? cpu : Stopwatch.GetElapsedTime(startedWall).TotalMilliseconds);
            }
        }

        return (detectMs.Count > 0 ? Median([.. detectMs]) : double.NaN, [.. detections]);
    }

    /// <summary>What each side of the measurement has done, for the other to see.</summary>
    private sealed class Progress
    {
        public int Detected;
        public bool DecodingDone;
    }

    /// <summary>
    /// The calling thread's CPU time in milliseconds on Linux (clock_gettime with CLOCK_THREAD_CPUTIME_ID), else the
    /// wall clock. CPU time leaves out the time a thread waits for a core: with the wall clock, one vtest.avi run measured
    /// 3.37 ms per detection against 1.28-1.41 in the runs beside it (12:27 UTC), enough to change the choice.
    /// </summary>
    internal static double ThreadMilliseconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ThreadCpuClock, out var time) == 0)
        {
            return (time.Seconds * 1e3) + (time.Nanoseconds / 1e6);
        }

        return Stopwatch.GetTimestamp() * 1e3 / Stopwatch.Frequency;
    }

    private const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        int middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
