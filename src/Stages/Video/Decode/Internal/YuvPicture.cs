using System.Collections.Concurrent;
using OpenCvSharp;

namespace Flow.Stages.Video.Internal;

/// <summary>
/// A decoded 4:2:0 YUV picture (an FFmpeg AVFrame) and its conversion to BGR24, done exactly as OpenCV's FFmpeg backend
/// does it in <c>VideoCapture.Read</c> (<c>sws_scale</c>, unscaled, <c>SWS_BICUBIC</c>): the same bytes, for the whole
/// picture or for chosen rows only.
/// </summary>
internal sealed unsafe class YuvPicture
{
    // Conversion contexts by (width, height, pixel format); sws_scale may not run on one context from two threads at once,
    // so each call takes one and puts it back. They live as long as the process: one per thread converting at once, per size.
    private static readonly ConcurrentDictionary<(int, int, int), ConcurrentBag<nint>> Contexts = new();
    private readonly Action<nint> _release;
    private nint _frame;

    public YuvPicture(nint frame, int width, int height, int pixelFormat, Action<nint> release)
    {
        _frame = frame;
        Width = width;
        Height = height;
        PixelFormat = pixelFormat;
        _release = release;
    }

    public int Width { get; }

    public int Height { get; }

    public int PixelFormat { get; }

    /// <summary>Converts the whole picture into <paramref name="bgr"/> (a continuous CV_8UC3 Mat of the picture's size).</summary>
    public void ConvertAll(Mat bgr) => Convert(bgr, 0, Height);

    /// <summary>
    /// Converts the rows <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> − 1 into the same
    /// rows of <paramref name="bgr"/>; <paramref name="first"/> and <paramref name="count"/> even (a chroma row is shared by
    /// two rows). The bytes are those of a whole-picture conversion, because the unscaled converter computes each row
    /// from its own luma row and its chroma row alone.
    /// </summary>
    public void Convert(Mat bgr, int first, int count)
    {
        nint frame = _frame;
        if (frame == 0)
        {
            throw new ObjectDisposedException(nameof(YuvPicture), "the picture was released with its frame");
        }

        var key = (Width, Height, PixelFormat);
        var pool = Contexts.GetOrAdd(key, static _ => new ConcurrentBag<nint>());
        if (!pool.TryTake(out nint context))
        {
            context = LibAv.sws_getContext(Width, Height, PixelFormat, Width, Height, LibAv.PixelFormatBgr24, LibAv.SwsBicubic, 0, 0, 0);
            if (context == 0)
            {
                throw new InvalidOperationException($"FFmpeg cannot convert pixel format {PixelFormat} at {Width}x{Height} to BGR24");
            }
        }

        try
        {
            int* strides = stackalloc int[4];
            byte** planes = stackalloc byte*[4];
            nint* data = (nint*)frame;
            int* linesize = (int*)(frame + LibAv.FrameLinesize);
            for (int p = 0; p < 3; p++)
            {
                strides[p] = linesize[p];
                planes[p] = (byte*)data[p] + ((long)(p == 0 ? first : first / 2) * linesize[p]);
            }

            planes[3] = null;
            strides[3] = 0;
            int* destinationStride = stackalloc int[4];
            byte** destination = stackalloc byte*[4];
            destinationStride[0] = (int)bgr.Step();
            destination[0] = (byte*)bgr.Data + ((long)first * destinationStride[0]);
            int written = LibAv.sws_scale(context, planes, strides, 0, count, destination, destinationStride);
            if (written < 0)
            {
                throw new InvalidOperationException($"FFmpeg's sws_scale failed converting rows {first}..{first + count - 1} ({LibAv.ErrorText(written)})");
            }
        }
        finally
        {
            pool.Add(context);
        }
    }

    /// <summary>Gives the AVFrame back to the decoder. Safe to call more than once.</summary>
    public void Release()
    {
        nint frame = Interlocked.Exchange(ref _frame, 0);
        if (frame != 0)
        {
            _release(frame);
        }
    }
}
