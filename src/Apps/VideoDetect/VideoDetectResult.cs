using Flow.Pipeline;
using Flow.Stages.Video;

namespace Flow.Apps.VideoDetect;

/// <summary>The outcome of a <see cref="VideoDetectJob"/> run.</summary>
public sealed class VideoDetectResult
{
    internal VideoDetectResult(
        PipelineResult pipeline, IReadOnlyList<FrameDetections> frames, long framesRead, VideoSourceException? inputError, ParallelismChoice parallelism, IReadOnlyList<DeadLetter>? skippedImages = null)
    {
        SkippedImages = skippedImages ?? [];
        Parallelism = parallelism;
        Pipeline = pipeline;
        Frames = frames;
        FramesRead = framesRead;
        InputError = inputError;
    }

    /// <summary>The pipeline's figures: per-stage rates, latencies, bottleneck.</summary>
    public PipelineResult Pipeline { get; }

    /// <summary>Every frame that reached the output, in order, with its tracked detections.</summary>
    public IReadOnlyList<FrameDetections> Frames { get; }

    /// <summary>How many frames the decoder read.</summary>
    public long FramesRead { get; }

    /// <summary>Why decoding stopped before the end (truncated or corrupt input), or <see langword="null"/>.</summary>
    public VideoSourceException? InputError { get; }

    /// <summary>
    /// The images of a folder input that could not be decoded and were skipped (the run went on with the next
    /// image): each names the image (<see cref="DeadLetter.Item"/>), the frame index it would have had
    /// (<see cref="DeadLetter.Sequence"/>) and the cause (<see cref="DeadLetter.Reason"/>). Empty for other inputs.
    /// </summary>
    public IReadOnlyList<DeadLetter> SkippedImages { get; }

    /// <summary>The annotated video's frame rate; <see langword="null"/> when no video was written.</summary>
    public double? VideoFramesPerSecond { get; init; }

    /// <summary>Why the annotated video uses the fallback rate (the input reports none, or an implausible one); <see langword="null"/> when it uses the input's.</summary>
    public string? VideoFramesPerSecondFallback { get; init; }

    /// <summary>The decoder that read the input (<see cref="VideoDecoder.FFmpeg"/> or <see cref="VideoDecoder.OpenCv"/>).</summary>
    public VideoDecoder Decoder { get; init; } = VideoDecoder.OpenCv;

    /// <summary>Why a file with <see cref="VideoDetectOptions.Decoder"/> = <see cref="VideoDecoder.Auto"/> was decoded by OpenCV (one line), or <see langword="null"/>.</summary>
    public string? DecoderFallbackReason { get; init; }

    /// <summary>The replicas and FFmpeg decoding threads the run used, and whether they were set, the default or measured.</summary>
    public ParallelismChoice Parallelism { get; }

    /// <summary>How many distinct track ids were given.</summary>
    public int Tracks => Frames.SelectMany(f => f.Detections).Select(d => d.TrackId).Distinct().Count();

    /// <summary>How many detections were output in total.</summary>
    public long Detections => Frames.Sum(f => (long)f.Detections.Count);
}
