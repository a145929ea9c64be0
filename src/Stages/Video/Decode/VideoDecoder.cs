namespace Flow.Stages.Video;

/// <summary>Which decoder a <see cref="VideoSource"/> reads a video file with.</summary>
public enum VideoDecoder
{
    /// <summary>
    /// <see cref="FFmpeg"/> when the file passes its checks at open (FFmpeg's structures read as expected, 8-bit 4:2:0 YUV,
    /// a width that is a multiple of 16, a declared frame count), else <see cref="OpenCv"/>; the source then says why in
    /// <see cref="VideoSource.DecoderFallbackReason"/>.
    /// </summary>
    Auto,

    /// <summary>
    /// FFmpeg's decoder called directly (the FFmpeg inside OpenCvSharp's runtime, the one OpenCV itself uses): frames
    /// stay in YUV until something needs them. <see cref="FrameTensors.Letterbox"/> converts only the rows it reads, and
    /// <see cref="Frame.Image"/> is converted on first use; both give exactly the bytes of OpenCV's decoder. A file
    /// that fails the checks cannot be opened.
    /// </summary>
    FFmpeg,

    /// <summary>OpenCV's <c>VideoCapture</c>: every frame converted to BGR as it is decoded.</summary>
    OpenCv,
}
