namespace Flow.Stages.Video;

/// <summary>Settings of a <see cref="VideoSource"/>.</summary>
public sealed class VideoSourceOptions
{
    private long? _maxFrames;
    private double _fallbackFramesPerSecond = 25;
    private TimeSpan _openTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Stop after this many frames (not an error): frame indexes 0 to MaxFrames − 1. In an image folder an
    /// unreadable image that was skipped keeps its index, so it counts here.</summary>
    /// <value>The default is <see langword="null"/>: read to the end.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public long? MaxFrames
    {
        get => _maxFrames;
        set
        {
            if (value is { } v)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(v, nameof(MaxFrames));
            }

            _maxFrames = value;
        }
    }

    /// <summary>The frame rate used for timestamps when the input does not say (image folders, some streams).</summary>
    /// <value>The default is 25.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero, negative or not finite.</exception>
    public double FallbackFramesPerSecond
    {
        get => _fallbackFramesPerSecond;
        set
        {
            if (!(value > 0 && double.IsFinite(value)))
            {
                throw new ArgumentOutOfRangeException(nameof(FallbackFramesPerSecond), value, "the frame rate must be positive");
            }

            _fallbackFramesPerSecond = value;
        }
    }

    /// <summary>How long FFmpeg may take to open a stream URL or to deliver one of its frames.</summary>
    /// <value>The default is 10 seconds.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan OpenTimeout
    {
        get => _openTimeout;
        set
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(OpenTimeout), value, "the timeout must be positive");
            }

            _openTimeout = value;
        }
    }

    /// <summary>
    /// How many threads FFmpeg decodes a file or stream with. When other stages keep the cores busy (detectors),
    /// fewer decoding threads waste less time competing with them.
    /// </summary>
    /// <value>The default is <see langword="null"/>: FFmpeg's own choice (about one per core). Cameras ignore it.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int? DecoderThreads
    {
        get;
        set
        {
            if (value is { } v)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(v, nameof(DecoderThreads));
            }

            field = value;
        }
    }

    /// <summary>
    /// The decoder for a video file. Image folders, cameras and stream URLs are always read with OpenCV.
    /// </summary>
    /// <value>The default is <see cref="VideoDecoder.Auto"/>: FFmpeg's decoder directly when the file passes its checks, else OpenCV's.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a <see cref="VideoDecoder"/>.</exception>
    public VideoDecoder Decoder
    {
        get;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(Decoder), value, "not a decoder (Auto, FFmpeg, OpenCv)");
            }

            field = value;
        }
    }

    /// <summary>The most images <see cref="PreallocatedImages"/> may ask for: as many as a source keeps for reuse.</summary>
    public const int MaxPreallocatedImages = 16;

    /// <summary>
    /// How many images a file or stream source allocates, at the frame size, and writes once when it opens, so that
    /// its first frames are decoded into memory that is already mapped. A fresh 768×576 image costs its page faults
    /// on the decoder's thread the first time it is written (about as much as decoding the frame); the pipeline opens
    /// its stages at the same time, so this work overlaps the detectors' model loading instead.
    /// </summary>
    /// <value>The default is 0: images are allocated as frames need them. At most <see cref="MaxPreallocatedImages"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or above <see cref="MaxPreallocatedImages"/>.</exception>
    public int PreallocatedImages
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(PreallocatedImages));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxPreallocatedImages, nameof(PreallocatedImages));
            field = value;
        }
    }

    /// <summary>Returns a copy, so later changes to this object do not reach a source.</summary>
    /// <returns>A new options object with the same values.</returns>
    public VideoSourceOptions Clone() => (VideoSourceOptions)MemberwiseClone();
}
