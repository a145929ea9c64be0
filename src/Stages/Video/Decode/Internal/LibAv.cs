using System.Runtime.InteropServices;

namespace Flow.Stages.Video.Internal;

/// <summary>
/// The parts of FFmpeg's C API (libavformat 61, libavcodec 61, libavutil 59, libswscale 8: FFmpeg 7.1) that OpenCvSharp's
/// native runtime, <c>libOpenCvSharpExtern.so</c>, links statically and exports: the same FFmpeg that OpenCV's
/// <c>VideoCapture</c> decodes with, so no second copy of FFmpeg is needed. Struct fields are read at fixed offsets
/// (FFmpeg 7.1's headers); <see cref="LibAvDecoder"/> checks them against each other when it opens a file and gives up
/// (the caller falls back to OpenCV's decoder) when they do not agree.
/// </summary>
internal static unsafe partial class LibAv
{
    /// <summary>The native library: OpenCvSharp resolves the same name.</summary>
    internal const string Library = "OpenCvSharpExtern";

    /// <summary>The functions this class imports; a test checks that the pinned runtime still exports each of them.</summary>
    internal static readonly string[] ImportedFunctions =
    [
        "avformat_open_input", "avformat_find_stream_info", "av_find_best_stream", "av_guess_frame_rate", "avformat_close_input",
        "av_read_frame", "avcodec_alloc_context3", "avcodec_parameters_to_context", "avcodec_open2", "avcodec_send_packet",
        "avcodec_receive_frame", "avcodec_free_context", "av_packet_alloc", "av_packet_unref", "av_packet_free", "av_frame_alloc",
        "av_frame_unref", "av_frame_free", "av_dict_set", "av_dict_free", "av_strerror", "av_log_set_level", "sws_getContext", "sws_scale",
    ];

    // AVMediaType / AVPixelFormat / AVERROR values (stable across FFmpeg versions).
    internal const int MediaTypeVideo = 0;
    internal const int PixelFormatYuv420P = 0;
    internal const int PixelFormatBgr24 = 3;
    internal const int PixelFormatYuvj420P = 12;
    internal const int ErrorAgain = -11; // AVERROR(EAGAIN) on Linux
    /// <summary>SWS_BICUBIC: the flags OpenCV's FFmpeg backend creates its YUV → BGR24 context with.</summary>
    internal const int SwsBicubic = 4;

    // Field offsets, FFmpeg 7.1 (x86-64).
    internal const int FormatContextNbStreams = 44;   // AVFormatContext.nb_streams (unsigned int)
    internal const int FormatContextStreams = 48;     // AVFormatContext.streams (AVStream**)
    internal const int StreamCodecParameters = 16;    // AVStream.codecpar
    internal const int StreamNbFrames = 56;           // AVStream.nb_frames (int64)
    internal const int CodecParametersType = 0;       // AVCodecParameters.codec_type
    internal const int CodecParametersFormat = 44;    // AVCodecParameters.format
    internal const int CodecParametersWidth = 72;     // AVCodecParameters.width
    internal const int CodecParametersHeight = 76;    // AVCodecParameters.height
    internal const int PacketStreamIndex = 36;        // AVPacket.stream_index
    internal const int FrameLinesize = 64;            // AVFrame.linesize[8] (after data[8])
    internal const int FrameWidth = 104;              // AVFrame.width
    internal const int FrameHeight = 108;             // AVFrame.height
    internal const int FrameFormat = 116;             // AVFrame.format

    [StructLayout(LayoutKind.Sequential)]
    internal struct Rational
    {
        public int Numerator;
        public int Denominator;
    }

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int avformat_open_input(nint* context, string url, nint format, nint* options);

    [LibraryImport(Library)]
    internal static partial int avformat_find_stream_info(nint context, nint options);

    [LibraryImport(Library)]
    internal static partial int av_find_best_stream(nint context, int type, int wantedStream, int relatedStream, nint* decoder, int flags);

    [LibraryImport(Library)]
    internal static partial Rational av_guess_frame_rate(nint context, nint stream, nint frame);

    [LibraryImport(Library)]
    internal static partial void avformat_close_input(nint* context);

    [LibraryImport(Library)]
    internal static partial int av_read_frame(nint context, nint packet);

    [LibraryImport(Library)]
    internal static partial nint avcodec_alloc_context3(nint codec);

    [LibraryImport(Library)]
    internal static partial int avcodec_parameters_to_context(nint codecContext, nint parameters);

    [LibraryImport(Library)]
    internal static partial int avcodec_open2(nint codecContext, nint codec, nint* options);

    [LibraryImport(Library)]
    internal static partial int avcodec_send_packet(nint codecContext, nint packet);

    [LibraryImport(Library)]
    internal static partial int avcodec_receive_frame(nint codecContext, nint frame);

    [LibraryImport(Library)]
    internal static partial void avcodec_free_context(nint* codecContext);

    [LibraryImport(Library)]
    internal static partial nint av_packet_alloc();

    [LibraryImport(Library)]
    internal static partial void av_packet_unref(nint packet);

    [LibraryImport(Library)]
    internal static partial void av_packet_free(nint* packet);

    [LibraryImport(Library)]
    internal static partial nint av_frame_alloc();

    [LibraryImport(Library)]
    internal static partial void av_frame_unref(nint frame);

    [LibraryImport(Library)]
    internal static partial void av_frame_free(nint* frame);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int av_dict_set(nint* dictionary, string key, string value, int flags);

    [LibraryImport(Library)]
    internal static partial void av_dict_free(nint* dictionary);

    [LibraryImport(Library)]
    internal static partial int av_strerror(int error, byte* buffer, nuint size);

    /// <summary>AV_LOG_ERROR: the level OpenCV's FFmpeg backend sets (FFmpeg's default also prints warnings and notes).</summary>
    internal const int LogLevelError = 16;

    [LibraryImport(Library)]
    internal static partial void av_log_set_level(int level);

    [LibraryImport(Library)]
    internal static partial nint sws_getContext(int sourceWidth, int sourceHeight, int sourceFormat, int destinationWidth, int destinationHeight, int destinationFormat, int flags, nint sourceFilter, nint destinationFilter, nint parameters);

    [LibraryImport(Library)]
    internal static partial int sws_scale(nint context, byte** source, int* sourceStride, int sourceSliceY, int sourceSliceHeight, byte** destination, int* destinationStride);

    /// <summary>FFmpeg's text for an error code.</summary>
    internal static string ErrorText(int error)
    {
        byte* buffer = stackalloc byte[256];
        return av_strerror(error, buffer, 256) == 0 ? Marshal.PtrToStringUTF8((nint)buffer) ?? $"error {error}" : $"error {error}";
    }
}
