using System.Globalization;
using System.Text;
using System.Text.Json;
using Flow.Pipeline;
using OpenCvSharp;

namespace Flow.Stages.Video;

/// <summary>
/// The end of a detection pipeline: draws boxes and track ids, writes the annotated video, JSON lines
/// and snapshots as configured, then disposes each frame. Frames must arrive in order (parallelism 1).
/// </summary>
public sealed class DetectionOutputSink : ISinkStage<DetectionFrame>, IDisposable
{
    private static readonly Scalar[] Palette = [new(0, 200, 0), new(0, 140, 255), new(255, 80, 0), new(200, 0, 200), new(0, 220, 220), new(255, 0, 120)];
    private readonly DetectionOutputOptions _options;
    private VideoWriter? _video;
    private StreamWriter? _json;
    private long _lastSnapshotWindow = -1;

    /// <summary>Creates the sink; files are created when it opens (the video at the first frame, when its size is known).</summary>
    /// <param name="options">The outputs; a snapshot is taken.</param>
    /// <exception cref="ArgumentException">The video path has an extension other than .mp4 or .avi.</exception>
    public DetectionOutputSink(DetectionOutputOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        if (_options.VideoPath is { } path)
        {
            _ = CodecFor(path);
        }
    }

    /// <summary>How many frames were consumed.</summary>
    public long FramesWritten { get; private set; }

    /// <summary>How many detections were written.</summary>
    public long DetectionsWritten { get; private set; }

    /// <summary>How many snapshots were saved.</summary>
    public int SnapshotsWritten { get; private set; }

    /// <inheritdoc />
    public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        if (_options.JsonLinesPath is { } json)
        {
            CreateParent(json);
            _json = new StreamWriter(json, append: false, new UTF8Encoding(false));
        }

        if (_options.SnapshotDirectory is { } snapshots)
        {
            Directory.CreateDirectory(snapshots);
        }

        if (_options.VideoPath is { } video)
        {
            CreateParent(video);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The video file cannot be created by OpenCV.</exception>
    public async ValueTask ConsumeAsync(DetectionFrame item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        using var frame = item.Frame;
        FramesWritten++;
        DetectionsWritten += item.Detections.Count;
        if (_json is not null)
        {
            await _json.WriteLineAsync(FormatJson(item).AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        bool snapshot = false;
        if (_options.SnapshotDirectory is not null && item.Detections.Count > 0)
        {
            long window = frame.Index / _options.SnapshotEvery;
            snapshot = window != _lastSnapshotWindow;
            if (snapshot)
            {
                _lastSnapshotWindow = window;
            }
        }

        if (_options.VideoPath is null && !snapshot)
        {
            return;
        }

        Annotate(frame.Image, item.Detections);
        if (_options.VideoPath is { } path)
        {
            _video ??= OpenVideo(path, frame.Width, frame.Height);
            _video.Write(frame.Image);
        }

        if (snapshot)
        {
            string file = Path.Combine(_options.SnapshotDirectory!, $"frame_{frame.Index:D6}.jpg");
            Cv2.ImWrite(file, frame.Image);
            SnapshotsWritten++;
        }
    }

    /// <inheritdoc />
    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        if (_json is not null)
        {
            await _json.DisposeAsync().ConfigureAwait(false);
            _json = null;
        }

        Dispose();
    }

    /// <summary>Closes the video and JSON files.</summary>
    public void Dispose()
    {
        _video?.Release();
        _video?.Dispose();
        _video = null;
        _json?.Dispose();
        _json = null;
    }

    /// <summary>Draws the detections (box, label, track id, score) onto a BGR image.</summary>
    /// <param name="image">The image, changed in place.</param>
    /// <param name="detections">The detections in the image's pixel coordinates.</param>
    public static void Annotate(Mat image, IReadOnlyList<Detection> detections)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(detections);
        foreach (var d in detections)
        {
            var color = Palette[(d.TrackId < 0 ? 0 : d.TrackId) % Palette.Length];
            var rect = new Rect((int)d.Box.X1, (int)d.Box.Y1, Math.Max(1, (int)d.Box.Width), Math.Max(1, (int)d.Box.Height));
            Cv2.Rectangle(image, rect, color, 2);
            string text = d.TrackId >= 0
                ? string.Create(CultureInfo.InvariantCulture, $"{d.Label} #{d.TrackId} {d.Score:0.00}")
                : string.Create(CultureInfo.InvariantCulture, $"{d.Label} {d.Score:0.00}");
            Cv2.PutText(image, text, new Point(rect.X, Math.Max(12, rect.Y - 4)), HersheyFonts.HersheySimplex, 0.45, color, 1, LineTypes.AntiAlias);
        }
    }

    /// <summary>Formats one frame's detections as a single JSON line.</summary>
    /// <param name="item">The frame and its detections.</param>
    /// <returns>The JSON text, without a newline.</returns>
    public static string FormatJson(DetectionFrame item)
    {
        ArgumentNullException.ThrowIfNull(item);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteNumber("frame", item.Frame.Index);
            writer.WriteNumber("time_ms", Math.Round(item.Frame.Timestamp.TotalMilliseconds, 1));
            writer.WriteNumber("width", item.Frame.Width);
            writer.WriteNumber("height", item.Frame.Height);
            writer.WriteStartArray("detections");
            foreach (var d in item.Detections)
            {
                writer.WriteStartObject();
                writer.WriteString("label", d.Label);
                writer.WriteNumber("track", d.TrackId);
                writer.WriteNumber("score", Math.Round(d.Score, 4));
                writer.WriteNumber("x1", Math.Round(d.Box.X1, 1));
                writer.WriteNumber("y1", Math.Round(d.Box.Y1, 1));
                writer.WriteNumber("x2", Math.Round(d.Box.X2, 1));
                writer.WriteNumber("y2", Math.Round(d.Box.Y2, 1));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private VideoWriter OpenVideo(string path, int width, int height)
    {
        var writer = new VideoWriter(path, CodecFor(path), _options.FramesPerSecond, new Size(width, height));
        if (!writer.IsOpened())
        {
            writer.Dispose();
            throw new IOException($"video file '{path}' cannot be created (OpenCV's FFmpeg refused {Path.GetExtension(path)} at {width}x{height}; check the folder is writable)");
        }

        return writer;
    }

    private static FourCC CodecFor(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".mp4" => FourCC.FromFourChars('m', 'p', '4', 'v'),
        ".avi" => FourCC.FromFourChars('M', 'J', 'P', 'G'),
        _ => throw new ArgumentException($"video file '{path}': use .mp4 (mp4v) or .avi (MJPG)", nameof(path)),
    };

    private static void CreateParent(string path)
    {
        string? parent = Path.GetDirectoryName(Path.GetFullPath(path));
        if (parent is not null)
        {
            Directory.CreateDirectory(parent);
        }
    }
}
