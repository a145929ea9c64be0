using System.Globalization;
using System.Runtime.CompilerServices;
using Flow.Pipeline;
using Flow.Stages.Video.Internal;
using OpenCvSharp;

namespace Flow.Stages.Video;

/// <summary>
/// Decodes frames, in order, from a video file, an image folder, a camera or a stream URL with
/// OpenCV (bundled FFmpeg); a video file by default with that FFmpeg called directly, its frames kept in YUV until
/// they are read (see <see cref="VideoDecoder"/>). Opening fails with a one-line <see cref="VideoSourceException"/> naming the
/// input. When decoding of a video stops early (a truncated or corrupt file) the frames before the damage are
/// still passed on, the source ends, and <see cref="Error"/> says what happened. In an image folder an image
/// that cannot be decoded is skipped with a record in <see cref="SkippedImages"/> and reading goes on with the
/// next image; a skipped image keeps its frame index (frame <c>i</c> is always the folder's <c>i</c>-th image in
/// name order), so the other frames' indexes and timestamps do not depend on which images were unreadable.
/// </summary>
public sealed class VideoSource : ISourceStage<Frame>, IDisposable
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp"];
    // Decoded images handed back by disposed frames, decoded into again: a 768x576 frame is 1.3 MB of native
    // memory that would otherwise be allocated, page-faulted in and freed for every frame. Last in, first out:
    // the image given back most recently is the one most likely still in the caches.
    private const int MaxPooledImages = VideoSourceOptions.MaxPreallocatedImages;
    // CAP_PROP_N_THREADS: FFmpeg's decoding threads, an open-time parameter.
    private const int CapturePropertyThreads = 70;
    private readonly System.Collections.Concurrent.ConcurrentStack<Mat> _freeImages = new();
    private readonly Action<Mat> _recycle;
    private volatile bool _released;
    private readonly VideoSourceOptions _options;
    private VideoCapture? _capture;
    private LibAvDecoder? _decoder;
    private readonly Func<Mat> _rentImage;
    private readonly Action<nint> _releasePicture;
    private readonly Queue<Frame> _readAhead = new();
    private bool _opened;
    private bool _ended;
    private long _nextIndex;
    private string[] _images = [];
    private readonly List<DeadLetter> _skippedImages = [];
    private string _stageName = "decode";
    private long _framesRead;
    private TimeProvider _clock = TimeProvider.System;
    private long _started;
    private bool _reading;

    private VideoSource(VideoInputKind kind, string input, VideoSourceOptions? options)
    {
        Kind = kind;
        Input = input;
        _options = options?.Clone() ?? new VideoSourceOptions();
        _recycle = Recycle;
        _rentImage = RentImage;
        _releasePicture = ReleasePicture;
    }

    /// <summary>What kind of input this is.</summary>
    public VideoInputKind Kind { get; }

    /// <summary>The file, folder, camera index or URL.</summary>
    public string Input { get; }

    /// <summary>Whether the input is live (camera or URL): frames come at the producer's pace, so shed load rather than queue.</summary>
    public bool IsLive => Kind is VideoInputKind.Camera or VideoInputKind.Url;

    /// <summary>How many frames have been read so far.</summary>
    public long FramesRead => Interlocked.Read(ref _framesRead);

    /// <summary>The frame count the container declares, known once opened; <see langword="null"/> when unknown (live, folders give the image count).</summary>
    public long? DeclaredFrameCount { get; private set; }

    /// <summary>The frame rate, known once opened (the fallback when the input does not say).</summary>
    public double FramesPerSecond { get; private set; }

    /// <summary>
    /// The frame rate as the input itself reports it once opened, unchecked: 0 for a folder or an input that gives none
    /// (some cameras and streams), and possibly a nonsense value (a stream's time base). <see cref="FramesPerSecond"/> is
    /// this value when it is positive and below 1000, else <see cref="VideoSourceOptions.FallbackFramesPerSecond"/>.
    /// </summary>
    public double ReportedFramesPerSecond { get; private set; }

    /// <summary>The frame size, known once opened (for a folder: the first image's size).</summary>
    public (int Width, int Height) FrameSize { get; private set; }

    /// <summary>
    /// The decoder reading the file once opened: <see cref="VideoDecoder.FFmpeg"/> or <see cref="VideoDecoder.OpenCv"/>
    /// (always OpenCV for folders, cameras and URLs).
    /// </summary>
    public VideoDecoder Decoder { get; private set; } = VideoDecoder.OpenCv;

    /// <summary>
    /// Why a file opened with <see cref="VideoDecoder.Auto"/> is read with OpenCV's decoder instead of FFmpeg's (one line),
    /// or <see langword="null"/>.
    /// </summary>
    public string? DecoderFallbackReason { get; private set; }

    /// <summary>Why decoding stopped before the end, or <see langword="null"/> when it reached the end (or was stopped).</summary>
    public VideoSourceException? Error { get; private set; }

    /// <summary>
    /// The images of a folder that could not be decoded and were skipped, in name order; empty for other inputs.
    /// Each record names the image (<see cref="DeadLetter.Item"/>, its path), its frame index
    /// (<see cref="DeadLetter.Sequence"/>, the index it would have had) and the cause (<see cref="DeadLetter.Reason"/>;
    /// the exception is a <see cref="VideoSourceException"/> whose <see cref="VideoSourceException.Input"/> is the image).
    /// Read it after the run (the source adds to it while it reads).
    /// </summary>
    public IReadOnlyList<DeadLetter> SkippedImages => _skippedImages;

    /// <summary>A source that decodes a video file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Frame limit and timing; by default <see cref="VideoSourceOptions"/>' defaults.</param>
    /// <returns>The source (opened by the pipeline).</returns>
    public static VideoSource FromFile(string path, VideoSourceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new VideoSource(VideoInputKind.File, path, options);
    }

    /// <summary>A source that reads the images of a folder in ordinal name order.</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="options">Frame limit and timing.</param>
    /// <returns>The source.</returns>
    public static VideoSource FromImageFolder(string folder, VideoSourceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        return new VideoSource(VideoInputKind.ImageFolder, folder, options);
    }

    /// <summary>A source that reads a camera.</summary>
    /// <param name="index">The camera index (0 for /dev/video0).</param>
    /// <param name="options">Frame limit and timing.</param>
    /// <returns>The source.</returns>
    public static VideoSource FromCamera(int index, VideoSourceOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new VideoSource(VideoInputKind.Camera, index.ToString(CultureInfo.InvariantCulture), options);
    }

    /// <summary>A source that reads a stream URL with FFmpeg.</summary>
    /// <param name="url">The URL (rtsp://, http://, ...).</param>
    /// <param name="options">Frame limit, timing and open timeout.</param>
    /// <returns>The source.</returns>
    public static VideoSource FromUrl(string url, VideoSourceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        return new VideoSource(VideoInputKind.Url, url, options);
    }

    /// <summary>
    /// A source for a command-line input: digits are a camera index, text with <c>://</c> is a URL, an
    /// existing folder is an image folder, anything else is a video file.
    /// </summary>
    /// <param name="input">The input text.</param>
    /// <param name="options">Frame limit and timing.</param>
    /// <returns>The source.</returns>
    public static VideoSource Parse(string input, VideoSourceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(input);
        if (input.All(char.IsAsciiDigit) && int.TryParse(input, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            return FromCamera(index, options);
        }

        if (input.Contains("://", StringComparison.Ordinal))
        {
            return FromUrl(input, options);
        }

        return Directory.Exists(input) ? FromImageFolder(input, options) : FromFile(input, options);
    }

    /// <inheritdoc />
    /// <remarks>A source opened before the run (to <see cref="ReadAhead"/>) is not opened again: the pipeline's open only takes its clock.</remarks>
    /// <exception cref="VideoSourceException">The input does not exist or cannot be opened.</exception>
    public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        _clock = context?.TimeProvider ?? TimeProvider.System;
        _stageName = context?.StageName ?? _stageName;
        if (_opened)
        {
            return ValueTask.CompletedTask;
        }

        _opened = true;
        switch (Kind)
        {
            case VideoInputKind.File:
                if (!File.Exists(Input))
                {
                    throw new VideoSourceException(Input, $"video file '{Input}' not found");
                }

                if (_options.Decoder != VideoDecoder.OpenCv)
                {
                    string? reason;
                    try
                    {
                        _decoder = LibAvDecoder.TryOpen(Input, _options.DecoderThreads, out reason);
                    }
                    catch (EntryPointNotFoundException e)
                    {
                        // A runtime that no longer exports FFmpeg's C API (LibAvTests fails on it too): OpenCV still decodes.
                        reason = $"OpenCvSharp's native runtime does not export FFmpeg's C API ({e.Message.Split('\n', 2)[0].Trim()})";
                    }

                    if (_decoder is { } decoder)
                    {
                        Decoder = VideoDecoder.FFmpeg;
                        DeclaredFrameCount = decoder.DeclaredFrameCount;
                        SetFrameRate(decoder.FramesPerSecond);
                        FrameSize = (decoder.Width, decoder.Height);
                        // No images are allocated ahead: a frame is converted to BGR only when its image is read.
                        return ValueTask.CompletedTask;
                    }

                    if (_options.Decoder == VideoDecoder.FFmpeg)
                    {
                        throw new VideoSourceException(Input, $"video file '{Input}' cannot be read with FFmpeg's decoder directly: {reason} (use OpenCV's decoder)");
                    }

                    DecoderFallbackReason = $"FFmpeg's decoder not used for '{Input}': {reason}; decoding with OpenCV";
                }

                _capture = _options.DecoderThreads is { } threads
                    ? new VideoCapture(Input, VideoCaptureAPIs.FFMPEG, [CapturePropertyThreads, threads])
                    : new VideoCapture(Input, VideoCaptureAPIs.FFMPEG);
                if (!_capture.IsOpened())
                {
                    Release();
                    throw new VideoSourceException(Input, $"video file '{Input}' cannot be decoded (not a video OpenCV's FFmpeg can read, or damaged before its first frame)");
                }

                DeclaredFrameCount = _capture.FrameCount > 0 ? _capture.FrameCount : null;
                break;
            case VideoInputKind.ImageFolder:
                if (!Directory.Exists(Input))
                {
                    throw new VideoSourceException(Input, $"image folder '{Input}' not found");
                }

                _images = Directory.EnumerateFiles(Input)
                    .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Order(StringComparer.Ordinal)
                    .ToArray();
                if (_images.Length == 0)
                {
                    throw new VideoSourceException(Input, $"image folder '{Input}' has no images ({string.Join(", ", ImageExtensions)})");
                }

                DeclaredFrameCount = _images.Length;
                // The first image that decodes gives the size (an unreadable one is skipped when the run reaches it).
                foreach (string path in _images)
                {
                    using var first = Decode(path, out _);
                    if (first is not null)
                    {
                        FrameSize = (first.Width, first.Height);
                        break;
                    }
                }

                FramesPerSecond = _options.FallbackFramesPerSecond;
                return ValueTask.CompletedTask;
            case VideoInputKind.Camera:
                // OpenCV prints a warning per backend it tries when there is no camera; the one-line error below says it all.
                Cv2.SetLogLevel(OpenCvSharp.LogLevel.SILENT);
                _capture = new VideoCapture(int.Parse(Input, CultureInfo.InvariantCulture), VideoCaptureAPIs.ANY);
                if (!_capture.IsOpened())
                {
                    Release();
                    throw new VideoSourceException(Input, $"camera {Input} cannot be opened (no such device /dev/video{Input}, or it is busy)");
                }

                break;
            default:
                int timeoutMs = (int)Math.Min(int.MaxValue, _options.OpenTimeout.TotalMilliseconds);
                // 53 / 54: CAP_PROP_OPEN_TIMEOUT_MSEC / CAP_PROP_READ_TIMEOUT_MSEC, so an unreachable URL fails instead of hanging.
                _capture = new VideoCapture(Input, VideoCaptureAPIs.FFMPEG, _options.DecoderThreads is { } urlThreads
                    ? [53, timeoutMs, 54, timeoutMs, CapturePropertyThreads, urlThreads]
                    : [53, timeoutMs, 54, timeoutMs]);
                if (!_capture.IsOpened())
                {
                    Release();
                    throw new VideoSourceException(Input, $"stream '{Input}' cannot be opened (unreachable, unsupported, or no video within {_options.OpenTimeout.TotalSeconds:0.#} s)");
                }

                break;
        }

        SetFrameRate(_capture.Fps);
        FrameSize = (_capture.FrameWidth, _capture.FrameHeight);
        if (Kind != VideoInputKind.Camera && FrameSize is { Width: > 0, Height: > 0 })
        {
            for (int i = 0; i < _options.PreallocatedImages; i++)
            {
                // Written once (zeros), so its pages are mapped before a frame is decoded into it; a Mat of the frame's
                // size and type is decoded into in place.
                _freeImages.Push(new Mat(FrameSize.Height, FrameSize.Width, MatType.CV_8UC3, Scalar.All(0)));
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Decodes the next frame now, before the pipeline runs, for a caller that needs to look at the first frames (a
    /// job that times their decoding and detection to choose its settings) without decoding them twice:
    /// <see cref="ReadAsync"/> yields the frames read ahead first, in order, then goes on decoding after them.
    /// Open the source (<see cref="OpenAsync"/>) first; the pipeline's own open then does not open it again.
    /// </summary>
    /// <returns>
    /// The frame, or <see langword="null"/> at the end of the input, at <see cref="VideoSourceOptions.MaxFrames"/>, or
    /// when decoding stopped (see <see cref="Error"/>). The source keeps it until <see cref="ReadAsync"/> yields it
    /// (or disposes it if the run never does): read its image, do not dispose it.
    /// </returns>
    /// <exception cref="InvalidOperationException">The source is not open, is closed, reading has started, or the input is live
    /// (a camera's or stream's frames are read as the pipeline runs).</exception>
    public Frame? ReadAhead()
    {
        if (IsLive)
        {
            throw new InvalidOperationException($"'{Input}' is a live input: its frames cannot be read ahead of the run");
        }

        if (!_opened || _released || _reading)
        {
            throw new InvalidOperationException($"frames of '{Input}' can be read ahead only after the source opened and before the run reads it");
        }

        var frame = NextFrame();
        if (frame is not null)
        {
            _readAhead.Enqueue(frame);
        }

        return frame;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Frame> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        _reading = true;
        _started = _clock.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            var frame = _readAhead.TryDequeue(out var ahead) ? ahead : NextFrame();
            if (frame is null)
            {
                yield break;
            }

            yield return frame;
        }
    }

    /// <summary>
    /// Decodes the next frame (null at the end, at the limit or on damage; reading then stays ended). An unreadable
    /// image of a folder is recorded in <see cref="SkippedImages"/> and the next image is read; it keeps its index, and
    /// <see cref="VideoSourceOptions.MaxFrames"/> counts it (the limit is on frame indexes, that is on images).
    /// </summary>
    private Frame? NextFrame()
    {
        while (true)
        {
            long index = _nextIndex;
            if (_ended || index >= (_options.MaxFrames ?? long.MaxValue))
            {
                _ended = true;
                return null;
            }

            var image = ReadFrame(index, out bool skipped);
            if (skipped)
            {
                _nextIndex = index + 1;
                continue;
            }

            if (image is null)
            {
                _ended = true;
                return null;
            }

            _nextIndex = index + 1;
            return NewFrame(index, image);
        }
    }

    private Frame NewFrame(long index, object decoded)
    {
        var timestamp = IsLive ? _clock.GetElapsedTime(_started) : TimeSpan.FromSeconds(index / FramesPerSecond);
        Interlocked.Increment(ref _framesRead);
        return decoded is YuvPicture picture
            ? new Frame(index, timestamp, picture, Input, _rentImage, _recycle)
            : new Frame(index, timestamp, (Mat)decoded, Input, Kind == VideoInputKind.ImageFolder ? null : _recycle);
    }

    /// <inheritdoc />
    public ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        Release();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The frame at <paramref name="index"/> (a BGR <see cref="Mat"/>, or a <see cref="YuvPicture"/> from FFmpeg's decoder); null at
    /// the end or on damage, or, with <paramref name="skipped"/>, for an unreadable image of a folder.
    /// </summary>
    private object? ReadFrame(long index, out bool skipped)
    {
        skipped = false;
        if (Kind == VideoInputKind.ImageFolder)
        {
            if (index >= _images.Length)
            {
                return null;
            }

            string path = _images[index];
            var image = Decode(path, out string? reason);
            if (image is null)
            {
                skipped = true;
                var cause = new VideoSourceException(path, $"image '{path}' (frame {index} of folder '{Input}') skipped: {reason}", FramesRead);
                _skippedImages.Add(new DeadLetter(_stageName, index, path, cause, Attempts: 1, _clock.GetUtcNow()));
            }

            return image;
        }

        if (_decoder is { } decoder)
        {
            nint picture = decoder.Read();
            if (picture != 0)
            {
                return new YuvPicture(picture, decoder.Width, decoder.Height, decoder.PixelFormat, _releasePicture);
            }
        }
        else
        {
            var frame = _freeImages.TryPop(out var free) ? free : new Mat();
            if (_capture!.Read(frame) && !frame.Empty())
            {
                return frame;
            }

            Recycle(frame);
        }

        if (Kind == VideoInputKind.File && DeclaredFrameCount is { } declared && index < declared)
        {
            Error = new VideoSourceException(Input, $"video file '{Input}' is truncated or corrupt: decoding stopped after {index} of {declared} frames", index);
        }
        else if (Kind == VideoInputKind.Camera)
        {
            Error = new VideoSourceException(Input, $"camera {Input} stopped delivering frames after {index} frames", index);
        }

        return null;
    }

    /// <summary>Decodes one image of a folder; null, with the reason, when OpenCV cannot.</summary>
    private static Mat? Decode(string path, out string? reason)
    {
        Mat image;
        try
        {
            image = Cv2.ImRead(path, ImreadModes.Color);
        }
        catch (OpenCVException e)
        {
            reason = $"OpenCV failed to decode it ({e.Message.Split('\n', 2)[0].Trim()})";
            return null;
        }

        if (!image.Empty())
        {
            reason = null;
            return image;
        }

        image.Dispose();
        reason = !File.Exists(path)
            ? "it was removed after the folder was listed"
            : new FileInfo(path).Length == 0
                ? "the file is empty"
                : "it cannot be decoded (damaged, or not an image in the format its extension names)";
        return null;
    }

    /// <summary>Releases the decoder if the pipeline did not close the source.</summary>
    public void Dispose() => Release();

    private void Release()
    {
        _released = true;
        while (_readAhead.TryDequeue(out var frame))
        {
            frame.Dispose(); // read ahead but never yielded: the run did not take it
        }

        _capture?.Dispose();
        _capture = null;
        _decoder?.Dispose(); // pictures still held by frames are freed as those frames are disposed
        DrainImages();
    }

    /// <summary>Keeps the rate the decoder reports and uses it when plausible (positive, below 1000), else the fallback.</summary>
    private void SetFrameRate(double reported)
    {
        ReportedFramesPerSecond = reported;
        FramesPerSecond = reported > 0 && double.IsFinite(reported) && reported < 1000 ? reported : _options.FallbackFramesPerSecond;
    }

    /// <summary>An image of the frame size for a frame's BGR conversion: one given back by an earlier frame, else a new one.</summary>
    private Mat RentImage() =>
        _freeImages.TryPop(out var image) ? image : new Mat(FrameSize.Height, FrameSize.Width, MatType.CV_8UC3);

    private void ReleasePicture(nint picture) => _decoder!.Release(picture);

    private void Recycle(Mat image)
    {
        if (!_released && _freeImages.Count < MaxPooledImages)
        {
            _freeImages.Push(image);
            if (_released)
            {
                DrainImages(); // the source closed while this image was being given back
            }
        }
        else
        {
            image.Dispose();
        }
    }

    private void DrainImages()
    {
        while (_freeImages.TryPop(out var image))
        {
            image.Dispose();
        }
    }
}
