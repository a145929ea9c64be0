using System.Collections.Concurrent;

namespace Flow.Stages.Video.Internal;

/// <summary>
/// Decodes a video file with FFmpeg's C API (the FFmpeg inside OpenCvSharp's runtime, see <see cref="LibAv"/>) into YUV
/// pictures, without OpenCV's full-frame BGR conversion. Reads packets and frames exactly as OpenCV's FFmpeg backend
/// does (<c>CvCapture_FFMPEG::grabFrame</c>: the same frames, the same end on damage). Not thread-safe: one reader.
/// </summary>
internal sealed unsafe class LibAvDecoder : IDisposable
{
    // OpenCV's limits (OPENCV_FFMPEG_READ_ATTEMPTS / OPENCV_FFMPEG_DECODE_ATTEMPTS defaults).
    private const int MaxReadAttempts = 4096;
    private const int MaxDecodeAttempts = 64;
    private readonly ConcurrentBag<nint> _freeFrames = new();
    private readonly Lock _disposeLock = new();
    private bool _disposed;
    private nint _format;
    private nint _codec;
    private nint _packet;
    private readonly int _stream;
    private long _frameNumber;
    private nint _pending;

    private LibAvDecoder(nint format, nint codec, int stream, int width, int height, int pixelFormat, long frameCount, double fps)
    {
        _format = format;
        _codec = codec;
        _stream = stream;
        Width = width;
        Height = height;
        PixelFormat = pixelFormat;
        DeclaredFrameCount = frameCount;
        FramesPerSecond = fps;
        _packet = LibAv.av_packet_alloc();
    }

    /// <summary>The frame width.</summary>
    public int Width { get; }

    /// <summary>The frame height.</summary>
    public int Height { get; }

    /// <summary>The pictures' AVPixelFormat (yuv420p or yuvj420p).</summary>
    public int PixelFormat { get; }

    /// <summary>The stream's declared frame count (AVStream.nb_frames), as OpenCV's CAP_PROP_FRAME_COUNT gives it.</summary>
    public long DeclaredFrameCount { get; }

    /// <summary>The frame rate as OpenCV's CAP_PROP_FPS gives it (av_guess_frame_rate).</summary>
    public double FramesPerSecond { get; }

    /// <summary>
    /// Opens a file and decodes its first frame (kept for the first <see cref="Read"/>), checking the struct offsets
    /// against each other; null, with the reason, when the file cannot be decoded this way (the caller uses OpenCV's decoder).
    /// </summary>
    public static LibAvDecoder? TryOpen(string path, int? threads, out string? reason)
    {
        // As OpenCV does when it first opens a capture: FFmpeg's errors only (its default level also prints notes such as
        // swscale's "No accelerated colorspace conversion found", which OpenCV's decoder hides too).
        LibAv.av_log_set_level(LibAv.LogLevelError);
        nint format = 0;
        try
        {
            int error = LibAv.avformat_open_input(&format, path, 0, null);
            if (error < 0)
            {
                reason = $"FFmpeg cannot open it ({LibAv.ErrorText(error)})";
                return null;
            }

            error = LibAv.avformat_find_stream_info(format, 0);
            if (error < 0)
            {
                reason = $"FFmpeg finds no stream information ({LibAv.ErrorText(error)})";
                return null;
            }

            nint decoder = 0;
            int stream = LibAv.av_find_best_stream(format, LibAv.MediaTypeVideo, -1, -1, &decoder, 0);
            if (stream < 0 || decoder == 0)
            {
                reason = $"FFmpeg finds no decodable video stream ({LibAv.ErrorText(stream)})";
                return null;
            }

            uint streamCount = *(uint*)(format + LibAv.FormatContextNbStreams);
            if (stream >= streamCount || streamCount > 4096)
            {
                reason = $"the stream table does not read as FFmpeg 7.1's (stream {stream} of {streamCount})";
                return null;
            }

            nint streamPointer = ((nint*)*(nint*)(format + LibAv.FormatContextStreams))[stream];
            nint parameters = *(nint*)(streamPointer + LibAv.StreamCodecParameters);
            int type = *(int*)(parameters + LibAv.CodecParametersType);
            int pixelFormat = *(int*)(parameters + LibAv.CodecParametersFormat);
            int width = *(int*)(parameters + LibAv.CodecParametersWidth);
            int height = *(int*)(parameters + LibAv.CodecParametersHeight);
            long frameCount = *(long*)(streamPointer + LibAv.StreamNbFrames);
            if (type != LibAv.MediaTypeVideo || width <= 0 || height <= 0 || width > 16384 || height > 16384)
            {
                reason = $"the stream's parameters do not read as FFmpeg 7.1's (type {type}, {width}x{height})";
                return null;
            }

            if (pixelFormat is not (LibAv.PixelFormatYuv420P or LibAv.PixelFormatYuvj420P))
            {
                reason = $"its pixel format (FFmpeg {pixelFormat}) is not 8-bit 4:2:0 YUV";
                return null;
            }

            if (width % 16 != 0 || height % 2 != 0)
            {
                reason = $"its size {width}x{height} is not a multiple of 16 wide and 2 high";
                return null;
            }

            if (frameCount <= 0 || frameCount > int.MaxValue)
            {
                reason = "the container does not declare its frame count";
                return null;
            }

            var rate = LibAv.av_guess_frame_rate(format, streamPointer, 0);
            double fps = rate.Numerator == 0 || rate.Denominator == 0 ? 0 : (double)rate.Numerator / rate.Denominator;
            nint codec = LibAv.avcodec_alloc_context3(decoder);
            var result = new LibAvDecoder(format, codec, stream, width, height, pixelFormat, frameCount, fps);
            format = 0; // owned by the decoder now
            if ((error = LibAv.avcodec_parameters_to_context(codec, parameters)) < 0 || (error = result.OpenCodec(decoder, threads)) < 0)
            {
                result.Dispose();
                reason = $"FFmpeg cannot open its decoder ({LibAv.ErrorText(error)})";
                return null;
            }

            // The first frame checks the offsets of AVFrame against the stream's parameters read above.
            nint first = result.Decode();
            if (first == 0)
            {
                result.Dispose();
                reason = "FFmpeg decodes no frame from it";
                return null;
            }

            int frameWidth = *(int*)(first + LibAv.FrameWidth), frameHeight = *(int*)(first + LibAv.FrameHeight), frameFormat = *(int*)(first + LibAv.FrameFormat);
            if (frameWidth != width || frameHeight != height || frameFormat != pixelFormat)
            {
                result.Release(first);
                result.Dispose();
                reason = $"its first frame ({frameWidth}x{frameHeight}, format {frameFormat}) does not match the stream's parameters ({width}x{height}, format {pixelFormat})";
                return null;
            }

            result._pending = first;
            reason = null;
            return result;
        }
        finally
        {
            if (format != 0)
            {
                LibAv.avformat_close_input(&format);
            }
        }
    }

    private int OpenCodec(nint decoder, int? threads)
    {
        nint options = 0;
        // Unset: OpenCV's default (fill_codec_context), a thread per core, at most 16.
        int count = threads ?? Math.Min(Environment.ProcessorCount, 16);
        LibAv.av_dict_set(&options, "threads", count.ToString(System.Globalization.CultureInfo.InvariantCulture), 0);
        int error = LibAv.avcodec_open2(_codec, decoder, &options);
        LibAv.av_dict_free(&options);
        return error;
    }

    /// <summary>The next picture (an AVFrame the caller gives back with <see cref="Release"/>), or 0 at the end or when decoding stops.</summary>
    public nint Read()
    {
        if (_pending != 0)
        {
            nint first = _pending;
            _pending = 0;
            return first;
        }

        return Decode();
    }

    /// <summary>
    /// Unreferences a picture from <see cref="Read"/> and keeps its AVFrame for the next one (frees it once the decoder is
    /// disposed: a picture stays valid after the decoder closes, FFmpeg's buffers are reference-counted). Thread-safe.
    /// </summary>
    public void Release(nint frame)
    {
        LibAv.av_frame_unref(frame);
        lock (_disposeLock)
        {
            if (!_disposed)
            {
                _freeFrames.Add(frame);
                return;
            }
        }

        LibAv.av_frame_free(&frame);
    }

    // CvCapture_FFMPEG::grabFrame, step for step.
    private nint Decode()
    {
        if (_codec == 0 || _frameNumber > DeclaredFrameCount)
        {
            return 0;
        }

        nint frame = _freeFrames.TryTake(out var free) ? free : LibAv.av_frame_alloc();
        bool valid = LibAv.avcodec_receive_frame(_codec, frame) >= 0;
        int readAttempts = 0, decodeAttempts = 0;
        while (!valid)
        {
            LibAv.av_packet_unref(_packet);
            int error = LibAv.av_read_frame(_format, _packet);
            if (error == LibAv.ErrorAgain)
            {
                continue;
            }

            bool flush = error < 0; // the end (or a read error, which OpenCV's backend also treats as the end when the video is stream 0)
            if (!flush && *(int*)(_packet + LibAv.PacketStreamIndex) != _stream)
            {
                if (++readAttempts > MaxReadAttempts)
                {
                    break;
                }

                continue;
            }

            if (LibAv.avcodec_send_packet(_codec, flush ? 0 : _packet) < 0)
            {
                break;
            }

            error = LibAv.avcodec_receive_frame(_codec, frame);
            if (error >= 0)
            {
                valid = true;
            }
            else if (error != LibAv.ErrorAgain && ++decodeAttempts > MaxDecodeAttempts)
            {
                break;
            }
        }

        if (!valid)
        {
            _freeFrames.Add(frame);
            return 0;
        }

        _frameNumber++;
        return frame;
    }

    /// <summary>Closes the file and the decoder; pictures still out stay valid until released.</summary>
    public void Dispose()
    {
        lock (_disposeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        if (_pending != 0)
        {
            Release(_pending);
            _pending = 0;
        }

        if (_packet != 0)
        {
            fixed (nint* packet = &_packet)
            {
                LibAv.av_packet_free(packet);
            }
        }

        if (_codec != 0)
        {
            fixed (nint* codec = &_codec)
            {
                LibAv.avcodec_free_context(codec);
            }
        }

        if (_format != 0)
        {
            fixed (nint* format = &_format)
            {
                LibAv.avformat_close_input(format);
            }
        }

        while (_freeFrames.TryTake(out var frame))
        {
            LibAv.av_frame_free(&frame);
        }
    }
}
