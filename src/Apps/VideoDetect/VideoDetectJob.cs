using System.Globalization;
using Flow.Pipeline;
using Flow.Stages.Video;

namespace Flow.Apps.VideoDetect;

/// <summary>
/// The detection job: decode (sequential) → preprocess (letterbox into tensors, parallel) → [batch →]
/// detect (N replicas, one ONNX Runtime session each) [→ unbatch] → track (IoU, in frame order) →
/// output (annotated video, JSON lines, snapshots). HOG and Haar detectors take frames directly.
/// Live inputs (camera, URL) shed load before the detector (latest frame only), files keep every frame.
/// </summary>
public sealed class VideoDetectJob
{
    private readonly VideoDetectOptions _options;
    private (TensorFormat Format, Func<IStage<TensorFrame[], DetectionFrame[]>> Factory)? _onnxDetector;

    /// <summary>Creates the job.</summary>
    /// <param name="options">What to read, which detector, where to write; a snapshot is taken.</param>
    public VideoDetectJob(VideoDetectOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
    }

    /// <summary>Runs the job to the end of the input (or until <paramref name="cancellationToken"/> asks it to stop).</summary>
    /// <param name="output">Where the live view and the report are written; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Stops the job gracefully: reading stops, frames already read are finished.</param>
    /// <returns>The frames, detections and pipeline figures.</returns>
    /// <exception cref="StageFailedException">A stage failed; its inner exception is a <see cref="VideoSourceException"/> for
    /// an input that cannot be opened, an <see cref="Flow.Stages.Inference.OnnxModelException"/> for an unusable model, a
    /// <see cref="FileNotFoundException"/> for a missing cascade.</exception>
    public async Task<VideoDetectResult> RunAsync(TextWriter? output, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(_options.Input))
        {
            throw new InvalidOperationException("no input given (a video file, image folder, camera index or stream URL)");
        }

        var (choice, firstReplica, measuredSource, detectedAhead) = await ChooseParallelismAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var source = measuredSource ?? VideoSource.Parse(_options.Input, _options.SourceOptions(choice.DecoderThreads));
            // Only the video writer needs the rate, and the sink is built before the run opens the source.
            var (fps, fpsFallback) = _options.VideoOutput is null
                ? (FallbackOutputFramesPerSecond, null)
                : await FramesPerSecondOfAsync(source, cancellationToken).ConfigureAwait(false);
            var sink = new RecordingSink(new DetectionOutputSink(new DetectionOutputOptions
            {
                VideoPath = _options.VideoOutput,
                JsonLinesPath = _options.JsonOutput,
                SnapshotDirectory = _options.SnapshotDirectory,
                FramesPerSecond = fps,
            }));
            var pipeline = Build(source, sink, choice.DegreeOfParallelism, choice.PreprocessCapacity, firstReplica, detectedAhead);
            var run = pipeline.Start(CancellationToken.None);
            using var stop = cancellationToken.Register(run.RequestStop);
            var result = output is null
                ? await run.Completion.ConfigureAwait(false)
                : await LiveView.RunAsync(run, new LiveViewOptions { Output = output, Mode = _options.View }).ConfigureAwait(false);
            return new VideoDetectResult(result, sink.Frames, source.FramesRead, source.Error, choice, [.. source.SkippedImages])
            {
                Decoder = source.Decoder,
                DecoderFallbackReason = source.DecoderFallbackReason,
                VideoFramesPerSecond = _options.VideoOutput is null ? null : fps,
                VideoFramesPerSecondFallback = fpsFallback,
            };
        }
        finally
        {
            if (firstReplica is not null)
            {
                await firstReplica.CloseUnlessTakenAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The replicas and decoding threads: the options' when either is set; for an ONNX detector on a file of at least
    /// <see cref="FrameCostProbe.MinFrames"/> frames, chosen from the measured cost of its first frames (see
    /// <see cref="ParallelismChoice.FromCosts"/>), with the session that measured handed on as the first replica, the
    /// detections of the frames it measured with, and the source that decoded them when the choice keeps its one
    /// decoding thread (its frames read ahead are the run's first frames); otherwise the defaults.
    /// </summary>
    private async Task<(ParallelismChoice Choice, PreOpenedStage<TensorFrame[], DetectionFrame[]>? FirstReplica, VideoSource? Source, DetectedAhead? Detected)> ChooseParallelismAsync(
        CancellationToken cancellationToken)
    {
        var fallback = ParallelismChoice.Fixed(_options.DegreeOfParallelism, DecoderThreads(_options), _options.ParallelismIsSet ? "set" : "default");
        string input = _options.Input;
        bool file;
        using (var parsed = VideoSource.Parse(input))
        {
            file = parsed.Kind == VideoInputKind.File && File.Exists(input); // Parse opens nothing
        }

        if (_options.ParallelismIsSet || _options.Detector is DetectorKind.Hog or DetectorKind.Haar || !file || _options.MaxFrames < FrameCostProbe.MinFrames)
        {
            return (fallback, null, null, null);
        }

        IStage<TensorFrame[], DetectionFrame[]>? detector = null;
        Task? opening = null;
        // Decoded on one FFmpeg thread, as the figure must be; its first frames are written into images allocated at
        // open, so no timed frame pays for fresh memory.
        var sourceOptions = _options.SourceOptions(decoderThreads: 1);
        sourceOptions.PreallocatedImages = FrameCostProbe.MaxFramesAhead;
        VideoSource? source = VideoSource.FromFile(input, sourceOptions);
        try
        {
            var (format, factory) = OnnxDetector();
            detector = factory();
            opening = detector.OpenAsync(new StageContext("detect"), cancellationToken).AsTask();
            await source.OpenAsync(new StageContext("decode"), cancellationToken).ConfigureAwait(false);
            var costs = await FrameCostProbe.MeasureAsync(source, format, detector, opening, cancellationToken).ConfigureAwait(false);
            await opening.ConfigureAwait(false);
            var first = new PreOpenedStage<TensorFrame[], DetectionFrame[]>(detector);
            detector = null;
            if (costs is not { } measured)
            {
                return (fallback, first, null, null);
            }

            var choice = ParallelismChoice.FromCosts(measured.DecodeMs, measured.DetectMs, Environment.ProcessorCount);
            if (choice.DecoderThreads != 1)
            {
                // The run needs a decoder of its own (FFmpeg's threads are fixed at open; this one is disposed below): it
                // decodes the first frames again, but their detections still stand.
                return (choice, first, null, measured.Detected);
            }

            var kept = source;
            source = null; // handed to the run, not disposed here
            return (choice, first, kept, measured.Detected);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A model or file that cannot be used: the run fails on it with its usual, stage-named error.
            return (fallback, null, null, null);
        }
        finally
        {
            source?.Dispose();
            if (detector is not null)
            {
                try
                {
                    if (opening is not null)
                    {
                        await opening.ConfigureAwait(false); // never close a session while it is still being created
                    }

                    await detector.CloseAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Closing a detector whose open failed: the run reports the open's failure.
                }
            }
        }
    }

    /// <summary>Builds the pipeline with the options' degree of parallelism (exposed to tests and benchmarks through the assembly).</summary>
    internal Pipeline.Pipeline Build(VideoSource source, ISinkStage<DetectionFrame> sink) =>
        Build(source, sink, _options.DegreeOfParallelism, ParallelismChoice.ShallowCapacity(_options.DegreeOfParallelism), firstReplica: null, detectedAhead: null);

    /// <summary>
    /// Builds the pipeline with <paramref name="dop"/> replicas, the first of them <paramref name="firstReplica"/> when
    /// given, the first frames' detections passed on from <paramref name="detectedAhead"/> when given, and
    /// <paramref name="preprocessCapacity"/> frames held by the preprocess stage on a file or folder (ONNX detectors).
    /// </summary>
    private Pipeline.Pipeline Build(
        VideoSource source, ISinkStage<DetectionFrame> sink, int dop, int preprocessCapacity, PreOpenedStage<TensorFrame[], DetectionFrame[]>? firstReplica, DetectedAhead? detectedAhead)
    {
        bool live = source.IsLive;
        var builder = new PipelineBuilder(new PipelineOptions { Name = "video" });
        var frames = builder.From(source, "decode");
        var shed = live ? FullMode.LatestOnly : FullMode.Wait;
        int queue = live ? 1 : Math.Max(4, 2 * dop);
        StageHandle<DetectionFrame> detected;
        // HOG and Haar take 10-100 ms a frame: a frame queued in front of them waits that long per frame ahead of it,
        // so their stage holds only the frames being worked on (capacity = DOP) and the decoder waits (a file) or the
        // newest frame replaces the waiting one (live).
        int classicQueue = dop;
        switch (_options.Detector)
        {
            case DetectorKind.Hog:
                detected = frames.Then(() => new HogPeopleDetector(), new StageOptions { Name = "detect", MaxDegreeOfParallelism = dop, BoundedCapacity = classicQueue, FullMode = shed });
                break;
            case DetectorKind.Haar:
                string cascade = _options.CascadePath ?? HaarFaceDetector.DefaultCascadePath;
                detected = frames.Then(() => new HaarFaceDetector(cascade), new StageOptions { Name = "detect", MaxDegreeOfParallelism = dop, BoundedCapacity = classicQueue, FullMode = shed });
                break;
            default:
                var (format, newReplica) = OnnxDetector();
                Func<IStage<TensorFrame[], DetectionFrame[]>> factory = detectedAhead is null
                    ? () => firstReplica?.TryTake() ?? newReplica()
                    : () => detectedAhead.Wrap(firstReplica?.TryTake() ?? newReplica());
                int batch = live ? 1 : _options.BatchSize;
                // Preprocess and detect hold about as many frames as they have workers: every frame queued in front of the
                // detector adds its time to the latency. On 2 cores, 2 and 2 (instead of 4 and 4) kept the throughput and cut
                // the end-to-end p99 from 19 to 8 ms (front-128) and from 59 to 32 ms (back-256). When decoding is the
                // bottleneck the measured choice makes it deeper (ParallelismChoice.PreprocessCapacity): there the detector
                // keeps up, so the queue is short in most rounds, and it absorbs the detector's stalls instead of stopping
                // the decoder (generated clip: 90 % of decode-only fps in 4 of 8 rounds with 2, 7 of 8 with 8).
                int inWork = live ? 1 : preprocessCapacity;
                // Detect holds one frame more than its replicas: results leave in frame order, and a replica that finished
                // frame n+1 before another finished frame n keeps its result in the stage; with no room left it then idled
                // until frame n was done. One more place gave back-256 on vtest 1.92-1.94 cores busy instead of 1.82-1.84
                // (201 vs 178 fps, p50 latency 25.7 vs 24.5 ms); front-128 was unchanged within the noise.
                // Live: as many frames as replicas, so every replica works on one of the newest frames and none waits in
                // front of the detector (latest-only shedding happens before preprocess).
                int detectWork = live ? dop : dop + 1;
                Func<Frame, TensorFrame> letterbox = detectedAhead is null ? f => FrameTensors.Letterbox(f, format) : f => detectedAhead.Letterbox(f, format);
                var tensors = frames.Then(letterbox, new StageOptions { Name = "preprocess", MaxDegreeOfParallelism = dop, BoundedCapacity = inWork, FullMode = shed });
                var detectOptions = new StageOptions { Name = "detect", MaxDegreeOfParallelism = dop, BoundedCapacity = detectWork };
                detected = batch == 1
                    ? tensors.Then(() => new SingleItemStage<TensorFrame, DetectionFrame>(factory()), detectOptions)
                    : tensors
                        .Batch(batch, _options.BatchDelay, new StageOptions { Name = "batch", BoundedCapacity = Math.Max(queue, batch) })
                        .Then(factory, detectOptions)
                        .Unbatch(new StageOptions { Name = "unbatch", BoundedCapacity = queue });
                break;
        }

        detected
            .Then(new IouTracker(), new StageOptions { Name = "track", BoundedCapacity = queue })
            .To(sink, new StageOptions { Name = "output", BoundedCapacity = queue });
        return builder.Build();
    }

    /// <summary>The ONNX detector's input format and a factory of replicas (BlazeFace or a user model).</summary>
    /// <summary>The ONNX detector's input format and replica factory, worked out once per job (probing a user model opens a session).</summary>
    private (TensorFormat Format, Func<IStage<TensorFrame[], DetectionFrame[]>> Factory) OnnxDetector() => _onnxDetector ??= CreateOnnxDetector();

    private (TensorFormat Format, Func<IStage<TensorFrame[], DetectionFrame[]>> Factory) CreateOnnxDetector()
    {
        if (_options.Detector == DetectorKind.Onnx)
        {
            string model = _options.ModelPath ?? throw new InvalidOperationException("the onnx detector needs a model path (onnx:<path>)");
            float threshold = _options.ScoreThreshold;
            return (OnnxBoxDetector.Probe(model), () => new OnnxBoxDetector(model, threshold));
        }

        bool back = _options.Detector == DetectorKind.BlazeFaceBack;
        var blaze = new BlazeFaceOptions
        {
            Variant = back ? BlazeFaceVariant.Back256 : BlazeFaceVariant.Front128,
            ModelPath = _options.ModelPath ?? VideoAssets.BlazeFaceModel(back),
            ScoreThreshold = _options.ScoreThreshold,
        };
        return (blaze.InputFormat, () => new BlazeFaceDetector(blaze));
    }

    /// <summary>
    /// FFmpeg's decoding threads: the option, else the cores the detector replicas leave free (at least 1). FFmpeg's
    /// own default (a thread per core) made its threads compete with the replicas: on 2 cores at DOP 2, one decoding
    /// thread took the pipeline from about 1.72 to 1.9 cores busy.
    /// </summary>
    internal static int DecoderThreads(VideoDetectOptions options) =>
        options.DecoderThreads ?? Math.Max(1, Environment.ProcessorCount - options.DegreeOfParallelism);

    /// <summary>The annotated video's frame rate when the input gives none the job can use.</summary>
    internal const double FallbackOutputFramesPerSecond = 25;

    /// <summary>
    /// The annotated video's frame rate: the one the input reports when it is plausible (positive, finite, below 1000;
    /// a stream may report its time base instead), else <see cref="FallbackOutputFramesPerSecond"/> with the reason.
    /// </summary>
    /// <param name="reported">The rate the input reports (<see cref="VideoSource.ReportedFramesPerSecond"/>); 0 when it gives none.</param>
    /// <param name="input">How the report names the input ("camera 0", "image folder 'x'").</param>
    internal static (double FramesPerSecond, string? Fallback) OutputFramesPerSecond(double reported, string input) => reported switch
    {
        > 0 and < 1000 => (reported, null),
        0 => (FallbackOutputFramesPerSecond, $"{input} reports no frame rate"),
        _ => (FallbackOutputFramesPerSecond, string.Create(CultureInfo.InvariantCulture, $"{input} reports an implausible frame rate ({reported:0.###})")),
    };

    /// <summary>
    /// The rate for the annotated video. A file is probed (the run's source is not open yet, unless the cost
    /// measurement opened it); a camera or stream reports its rate only once opened, so it is opened here, before the
    /// run (the run's open then only takes its clock). A folder has no rate.
    /// </summary>
    private static async Task<(double FramesPerSecond, string? Fallback)> FramesPerSecondOfAsync(VideoSource source, CancellationToken cancellationToken)
    {
        switch (source.Kind)
        {
            case VideoInputKind.File when File.Exists(source.Input):
                using (var probe = new OpenCvSharp.VideoCapture(source.Input, OpenCvSharp.VideoCaptureAPIs.FFMPEG))
                {
                    return OutputFramesPerSecond(probe.IsOpened() ? probe.Fps : 0, $"video file '{source.Input}'");
                }

            case VideoInputKind.Camera or VideoInputKind.Url:
                await source.OpenAsync(new StageContext("decode"), cancellationToken).ConfigureAwait(false);
                return OutputFramesPerSecond(source.ReportedFramesPerSecond, source.Kind == VideoInputKind.Camera ? $"camera {source.Input}" : $"stream '{source.Input}'");
            default:
                // A missing file fails when the run opens it, with its own message.
                return OutputFramesPerSecond(0, source.Kind == VideoInputKind.ImageFolder ? $"image folder '{source.Input}'" : $"'{source.Input}'");
        }
    }
}
