using OpenCvSharp;

namespace Flow.Stages.Video;

/// <summary>
/// A decoded video frame: its position in the source and its BGR image. The image is owned by the
/// frame; the last stage that uses it (a sink) disposes the frame. A frame from a <see cref="VideoSource"/>
/// gives its image back to the source for the next frame to be decoded into, so the image must not be used
/// after the frame is disposed.
/// </summary>
public sealed class Frame : IDisposable
{
    private readonly Action<Mat>? _recycle;
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
        Image = image;
        Source = source;
    }

    /// <summary>The 0-based position in the source.</summary>
    public long Index { get; }

    /// <summary>The position in time.</summary>
    public TimeSpan Timestamp { get; }

    /// <summary>The BGR image (8-bit, 3 channels).</summary>
    public Mat Image { get; }

    /// <summary>Where the frame came from.</summary>
    public string Source { get; }

    /// <summary>The image width in pixels.</summary>
    public int Width => Image.Width;

    /// <summary>The image height in pixels.</summary>
    public int Height => Image.Height;

    /// <summary>Releases the image (or gives it back to the source that decoded it). Safe to call more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_recycle is not null)
        {
            _recycle(Image);
        }
        else
        {
            Image.Dispose();
        }
    }
}
