namespace Flow.Stages.Video;

/// <summary>Where a <see cref="DetectionOutputSink"/> writes. Every output is optional.</summary>
public sealed class DetectionOutputOptions
{
    private int _snapshotEvery = 25;
    private double _framesPerSecond = 25;

    /// <summary>
    /// The annotated video: <c>.mp4</c> is written with the <c>mp4v</c> codec, <c>.avi</c> with <c>MJPG</c>
    /// (the encoders OpenCV's bundled FFmpeg provides; H.264 is not available).
    /// </summary>
    /// <value>The default is <see langword="null"/>: no video.</value>
    public string? VideoPath { get; set; }

    /// <summary>One JSON object per frame: index, timestamp, and each detection's box, score, label and track id.</summary>
    /// <value>The default is <see langword="null"/>: no JSON lines.</value>
    public string? JsonLinesPath { get; set; }

    /// <summary>A folder for annotated JPEG snapshots of frames with detections.</summary>
    /// <value>The default is <see langword="null"/>: no snapshots.</value>
    public string? SnapshotDirectory { get; set; }

    /// <summary>At most one snapshot per this many frames (the first frame with detections in each window).</summary>
    /// <value>The default is 25.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int SnapshotEvery
    {
        get => _snapshotEvery;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(SnapshotEvery));
            _snapshotEvery = value;
        }
    }

    /// <summary>The frame rate written into the video's header.</summary>
    /// <value>The default is 25.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero, negative or not finite.</exception>
    public double FramesPerSecond
    {
        get => _framesPerSecond;
        set
        {
            if (!(value > 0 && double.IsFinite(value)))
            {
                throw new ArgumentOutOfRangeException(nameof(FramesPerSecond), value, "the frame rate must be positive");
            }

            _framesPerSecond = value;
        }
    }

    /// <summary>Returns a copy, so later changes to this object do not reach a sink.</summary>
    /// <returns>A new options object with the same values.</returns>
    public DetectionOutputOptions Clone() => (DetectionOutputOptions)MemberwiseClone();
}
