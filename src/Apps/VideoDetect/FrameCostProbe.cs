using System.Diagnostics;
using System.Runtime.InteropServices;
using Flow.Pipeline;
using Flow.Stages.Video;
using OpenCvSharp;

namespace Flow.Apps.VideoDetect;

/// <summary>
/// Measures, before a file's run, what one frame costs to decode (one FFmpeg thread) and to letterbox and detect
/// (one session, opened here and then handed to the pipeline as its first replica, so its start-up is not wasted).
/// Each figure is the median of <see cref="TimedFrames"/> times, in CPU time of the thread doing the work, taken while
/// decoding and detection run on two cores at once, as they do in the pipeline (nothing else of the job runs yet).
/// </summary>
internal static class FrameCostProbe
{
    /// <summary>Frames timed for each figure: the last of <see cref="DecodedFrames"/> decoded, and detections after one untimed one.</summary>
    public const int TimedFrames = 4;

    /// <summary>Frames decoded in all.</summary>
    public const int DecodedFrames = 12;

    /// <summary>
    /// Inputs shorter than this are not measured: the measurement costs about <see cref="DecodedFrames"/> frames of
    /// decoding (alongside the session's start-up) and 5 detections, a few per cent of a 100-frame run.
    /// </summary>
    public const long MinFrames = 100;

    // CAP_PROP_N_THREADS, an open-time parameter: one thread, so the figure is the decoding work of one frame.
    private const int CapturePropertyThreads = 70;

    /// <summary>
    /// Decodes the first frames and runs the opened <paramref name="detector"/> on them. Returns
    /// <see langword="null"/> when the file is too short or cannot be read (the run then reports the problem itself).
    /// </summary>
    /// <param name="path">The video file.</param>
    /// <param name="format">The detector's input format.</param>
    /// <param name="detector">The detector, opening (<paramref name="opening"/>) while the frames are decoded.</param>
    /// <param name="opening">The detector's open, started by the caller.</param>
    /// <param name="cancellationToken">Stops the measurement.</param>
    public static async Task<(double DecodeMs, double DetectMs)?> MeasureAsync(
        string path, TensorFormat format, IStage<TensorFrame[], DetectionFrame[]> detector, Task opening, CancellationToken cancellationToken)
    {
        // The frames are decoded into one image again and again, as the source does with its pooled images (a new 1.3 MB
        // image per frame would add its page faults to the figure). Only the last frames are timed: vtest.avi's first
        // four took 2-3 ms each, its 8th to 12th about 1 ms (the `probe` bench mode, 12:10 UTC).
        using var first = new Mat();
        using var image = new Mat();
        using var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG, [CapturePropertyThreads, 1]);
        if (!capture.IsOpened() || capture.FrameCount < MinFrames || !capture.Read(first) || first.Empty())
        {
            return null;
        }

        // Detection is timed on another core while this one decodes, as in the pipeline, once the session is open;
        // BlazeFace and the user models cost the same for any picture, so the first frame is detected again and again.
        var detecting = Task.Run(() => MeasureDetectionAsync(first, path, format, detector, opening, cancellationToken), cancellationToken);
        try
        {
            var decodeMs = new double[TimedFrames];
            for (int i = 1; i < DecodedFrames; i++)
            {
                double started = ThreadMilliseconds();
                if (!capture.Read(image) || image.Empty())
                {
                    return null;
                }

                if (i >= DecodedFrames - TimedFrames)
                {
                    decodeMs[i - (DecodedFrames - TimedFrames)] = ThreadMilliseconds() - started;
                }
            }

            return (Median(decodeMs), await detecting.ConfigureAwait(false));
        }
        finally
        {
            if (!detecting.IsCompleted)
            {
                await Task.WhenAny(detecting).ConfigureAwait(false); // the frame it reads is disposed when this returns
            }
        }
    }

    private static async Task<double> MeasureDetectionAsync(
        Mat image, string path, TensorFormat format, IStage<TensorFrame[], DetectionFrame[]> detector, Task opening, CancellationToken cancellationToken)
    {
        await opening.ConfigureAwait(false);
        var detectMs = new double[TimedFrames];
        var frame = new Frame(0, TimeSpan.Zero, image, path); // not disposed here: the image belongs to the caller
        for (int i = 0; i <= TimedFrames; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double started = ThreadMilliseconds();
            long startedWall = Stopwatch.GetTimestamp();
            var detecting = detector.ProcessAsync([FrameTensors.Letterbox(frame, format)], cancellationToken);
            bool onThisThread = detecting.IsCompleted; // the ONNX stages run synchronously, on this thread
            double cpu = ThreadMilliseconds() - started;
            await detecting.ConfigureAwait(false);
            if (i > 0)
            {
                detectMs[i - 1] = onThisThread ? cpu : Stopwatch.GetElapsedTime(startedWall).TotalMilliseconds;
            }
        }

        return Median(detectMs);
    }

    /// <summary>
    /// The calling thread's CPU time in milliseconds on Linux (clock_gettime with CLOCK_THREAD_CPUTIME_ID), else the
    /// wall clock. CPU time leaves out the time a thread waits for a core: with the wall clock, one vtest.avi run measured
    /// 3.37 ms per detection against 1.28-1.41 in the runs beside it (12:27 UTC), enough to change the choice.
    /// </summary>
    private static double ThreadMilliseconds()
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
