using System.Globalization;
using System.CommandLine;
using Flow.Pipeline;
using Flow.Stages.Inference;
using Flow.Stages.Video;

namespace Flow.Apps.VideoDetect;

/// <summary>The <c>flow video</c> command: options, parsing and exit codes.</summary>
internal static class VideoCommandLine
{
    /// <summary>Exit code for bad arguments.</summary>
    public const int UsageError = 2;

    /// <summary>
    /// Exit code for an input, model or output that cannot be used, an input damaged part way (after the frames before
    /// the damage were processed), or images of a folder skipped as unreadable (after every other image was processed).
    /// </summary>
    public const int InputError = 3;

    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A video file (.mp4, .avi, ...), an image folder, a camera index (0) or a stream URL (rtsp://, http://)." };
        var detector = new Option<string>("--detector", "-d") { Description = "blazeface-front | blazeface-back | hog | haar | onnx:<path>", DefaultValueFactory = _ => "blazeface-front" };
        var output = new Option<string?>("--output", "-o") { Description = "Annotated video to write: .mp4 (mp4v) or .avi (MJPG)." };
        var json = new Option<string?>("--json") { Description = "JSON lines file: one object per frame with boxes, scores, track ids, timestamps." };
        var snapshots = new Option<string?>("--snapshots") { Description = "Folder for annotated JPEG snapshots of frames with detections." };
        var dop = new Option<int?>("--dop") { Description = "Replicas of the preprocess and detect stages (one ONNX Runtime session each). Default: for an ONNX detector on a video file, chosen with --decoder-threads from the measured cost of decoding and detecting the first frames (on 2 cores: 1 replica and 1 FFmpeg thread while neither costs 2/3 more than the other, else 2 replicas or 2 threads for the dearer side); else 2, and 1 for hog/haar, which use every core inside one call." };
        var batch = new Option<int>("--batch") { Description = "Frames per inference call for models with a dynamic batch dimension.", DefaultValueFactory = _ => 1 };
        var maxFrames = new Option<long?>("--max-frames") { Description = "Stop after this many frames." };
        var score = new Option<float>("--score") { Description = "Least detector score to keep a box (ONNX detectors).", DefaultValueFactory = _ => 0.5f };
        var cascade = new Option<string?>("--cascade") { Description = $"Haar cascade XML (default {HaarFaceDetector.DefaultCascadePath})." };
        var decoderThreads = new Option<int?>("--decoder-threads") { Description = "FFmpeg decoding threads (default: the cores the detector replicas leave free, at least 1, or the measured choice, see --dop). Setting --dop or --decoder-threads turns the measurement off." };
        var decoder = new Option<string>("--decoder") { Description = "auto | ffmpeg | opencv: the video file decoder. ffmpeg calls FFmpeg's decoder directly and converts to BGR only what is used (the model's rows, or a frame that is drawn); auto uses it for the ONNX detectors when the file passes its checks, else OpenCV's.", DefaultValueFactory = _ => "auto" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No live view; only the final report." };
        var command = new Command("video", "Detect and track faces or people in a video file, image folder, camera or stream URL.")
        {
            input, detector, output, json, snapshots, dop, batch, maxFrames, score, cascade, decoderThreads, decoder, quiet,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            VideoDetectOptions options;
            try
            {
                options = Bind(parseResult);
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"flow video: {ErrorMessages.OneLine(ex)}").ConfigureAwait(false);
                return UsageError;
            }

            return await RunAsync(options, Console.Out, Console.Error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Turns the parsed command line into job options.</summary>
    /// <exception cref="ArgumentException">A value is invalid (unknown detector, DOP below 1, ...).</exception>
    internal static VideoDetectOptions Bind(ParseResult parseResult)
    {
        var options = new VideoDetectOptions
        {
            Input = parseResult.GetValue<string>("input") ?? string.Empty,
            VideoOutput = parseResult.GetValue<string?>("--output"),
            JsonOutput = parseResult.GetValue<string?>("--json"),
            SnapshotDirectory = parseResult.GetValue<string?>("--snapshots"),
            BatchSize = parseResult.GetValue<int>("--batch"),
            MaxFrames = parseResult.GetValue<long?>("--max-frames"),
            ScoreThreshold = parseResult.GetValue<float>("--score"),
            CascadePath = parseResult.GetValue<string?>("--cascade"),
            DecoderThreads = parseResult.GetValue<int?>("--decoder-threads"),
            Decoder = ParseDecoder(parseResult.GetValue<string>("--decoder") ?? "auto"),
            View = parseResult.GetValue<bool>("--quiet") ? LiveViewMode.ReportOnly : LiveViewMode.Auto,
        };
        options.SetDetector(parseResult.GetValue<string>("--detector") ?? "blazeface-front");
        if (parseResult.GetValue<int?>("--dop") is { } dop)
        {
            options.DegreeOfParallelism = dop;
        }

        return options;
    }

    /// <summary>The <c>--decoder</c> value.</summary>
    /// <exception cref="ArgumentException">Not auto, ffmpeg or opencv.</exception>
    internal static VideoDecoder ParseDecoder(string value) => value.ToLowerInvariant() switch
    {
        "auto" => VideoDecoder.Auto,
        "ffmpeg" => VideoDecoder.FFmpeg,
        "opencv" => VideoDecoder.OpenCv,
        _ => throw new ArgumentException($"unknown decoder '{value}' (auto, ffmpeg or opencv)", nameof(value)),
    };

    /// <summary>Runs a job and turns its outcome into one report or one error line and an exit code.</summary>
    public static async Task<int> RunAsync(VideoDetectOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        VideoDetectResult result;
        try
        {
            result = await new VideoDetectJob(options).RunAsync(output, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Describe(ex) is { } message)
        {
            await error.WriteLineAsync($"flow video: {message}").ConfigureAwait(false);
            return InputError;
        }

        await output.WriteLineAsync(
            $"video: {result.Pipeline.Stages.First(s => s.Name == "output").ItemsIn} frames out of {result.FramesRead} read, {result.Detections} detections, {result.Tracks} tracks" +
            (options.VideoOutput is { } v ? $", video {v} at {Rate(result)}" : string.Empty) +
            (options.JsonOutput is { } j ? $", JSON lines {j}" : string.Empty) +
            (result.SkippedImages.Count > 0 ? $", {result.SkippedImages.Count} unreadable image(s) skipped" : string.Empty) +
            $"; {result.Parallelism}").ConfigureAwait(false);
        if (result.DecoderFallbackReason is { } fallback)
        {
            await error.WriteLineAsync($"flow video: {fallback}").ConfigureAwait(false);
        }

        foreach (DeadLetter skipped in result.SkippedImages)
        {
            await error.WriteLineAsync($"flow video: {ErrorMessages.OneLine(skipped.Exception)}").ConfigureAwait(false);
        }

        if (result.InputError is { } damaged)
        {
            await error.WriteLineAsync($"flow video: {damaged.Message}").ConfigureAwait(false);
            return InputError;
        }

        return result.SkippedImages.Count > 0 ? InputError : 0;
    }

    /// <summary>The annotated video's rate for the report line, with the reason when it is the fallback.</summary>
    internal static string Rate(VideoDetectResult result) =>
        string.Create(CultureInfo.InvariantCulture, $"{result.VideoFramesPerSecond:0.##} fps") +
        (result.VideoFramesPerSecondFallback is { } reason ? $" ({reason}; {VideoDetectJob.FallbackOutputFramesPerSecond:0} fps assumed)" : string.Empty);

    /// <summary>The one-line message for failures a user can fix (input, model, cascade, output); null for bugs.</summary>
    /// <remarks>OpenCvSharp loads its native library in a type initializer: a missing dependency (libgtk-3.so.0, see
    /// scripts/assets/video.apt) arrives as a TypeInitializationException around the DllNotFoundException, which
    /// <see cref="ErrorMessages.Cause"/> looks through.</remarks>
    internal static string? Describe(Exception exception)
    {
        Exception inner = ErrorMessages.Cause(exception);
        return inner switch
        {
            VideoSourceException or OnnxModelException or FileNotFoundException or InvalidDataException or IOException or ArgumentException or InvalidOperationException
                or DllNotFoundException or UnauthorizedAccessException => ErrorMessages.OneLine(inner),
            _ => null,
        };
    }
}
