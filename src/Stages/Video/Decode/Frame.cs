using Flow.Stages.Video.Internal;
using OpenCvSharp;

namespace Flow.Stages.Video;

/// <summary>
/// A decoded video frame: its position in the source and its BGR image. The image is owned by the
/// frame; the last stage that uses it (a sink) disposes the frame. A frame from a <see cref="VideoSource"/>
/// gives its image back to the source for the next frame to be decoded into, so the image must not be used
/// after the frame is disposed. A frame decoded by <see cref="VideoDecoder.FFmpeg"/> holds its YUV picture and converts
/// <see cref="Image"/> the first time it is read (the bytes OpenCV's decoder gives); <see cref="FrameTensors.Letterbox"/>
/// reads the picture directly.
/// </summary>
public sealed class Frame : IDisposable
{
    private readonly Action<Mat>? _recycle;
    private readonly Func<Mat>? _rentImage;
    private readonly Lock _imageLock = new();
    private YuvPicture? _picture;
    private Mat? _image;
    private int _disposed;

    /// <summary>Creates a frame.</summary>
    /// <param name="index">The 0-based position in the source.</param>
    /// <param name="timestamp">The position in time (from the container, or index / fps).</param>
    /// <param name="image">The BGR image; the frame takes ownership.</param>
    /// <param name="source">Where it came from (file name, folder entry, camera index or URL).</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="source"/> is <see langword="null"/>.</exception>
    public Frame(long index, TimeSpan timestamp, Mat image, string source)
        : this(index, timestamp, image, source, recycle: null)
    {
    }

    internal Frame(long index, TimeSpan timestamp, Mat image, string source, Action<Mat>? recycle)
    {
        _recycle = recycle;
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(source);
        Index = index;
        Timestamp = timestamp;
        _image = image;
        Source = source;
        Width = image.Width;
        Height = image.Height;
    }

    /// <summary>A frame whose image is converted from <paramref name="picture"/> on first use, into an image from <paramref name="rentImage"/>.</summary>
    internal Frame(long index, TimeSpan timestamp, YuvPicture picture, string source, Func<Mat> rentImage, Action<Mat> recycle)
    {
        Index = index;
        Timestamp = timestamp;
        _picture = picture;
        Source = source;
        _rentImage = rentImage;
        _recycle = recycle;
        Width = picture.Width;
        Height = picture.Height;
    }

    /// <summary>The 0-based position in the source.</summary>
    public long Index { get; }

    /// <summary>The position in time.</summary>
    public TimeSpan Timestamp { get; }

    /// <summary>The BGR image (8-bit, 3 channels). For a frame decoded by <see cref="VideoDecoder.FFmpeg"/> it is converted
    /// from the YUV picture the first time it is read (thread-safe; once).</summary>
    /// <exception cref="ObjectDisposedException">The frame was disposed before its image was first read.</exception>
    public Mat Image
    {
        get
        {
            var image = Volatile.Read(ref _image);
            return image ?? Convert();
        }
    }

    /// <summary>The YUV picture while the image has not been converted (and the frame not disposed); null otherwise.</summary>
    internal YuvPicture? Picture => Volatile.Read(ref _image) is null ? Volatile.Read(ref _picture) : null;

    /// <summary>Where the frame came from.</summary>
    public string Source { get; }

    /// <summary>The image width in pixels.</summary>
    public int Width { get; }

    /// <summary>The image height in pixels.</summary>
    public int Height { get; }

    private Mat Convert()
    {
        lock (_imageLock)
        {
            if (_image is { } done)
            {
                return done;
            }

            var picture = _picture;
            if (picture is null || Volatile.Read(ref _disposed) != 0)
            {
                throw new ObjectDisposedException(nameof(Frame), $"frame {Index} of '{Source}' was disposed");
            }

            var image = _rentImage!();
            picture.ConvertAll(image);
            Volatile.Write(ref _image, image);
            return image;
        }
    }

    /// <summary>Releases the image (or gives it back to the source that decoded it). Safe to call more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Mat? image;
        lock (_imageLock)
        {
            image = _image;
            Interlocked.Exchange(ref _picture, null)?.Release();
        }

        if (image is null)
        {
            return;
        }

        if (_recycle is not null)
        {
            _recycle(image);
        }
        else
        {
            image.Dispose();
        }
    }
}
