using System.Globalization;
using Flow.Stages.Video;

namespace Flow.Apps.VideoDetect;

/// <summary>Settings of a <see cref="VideoDetectJob"/>. Values are validated when set.</summary>
public sealed class VideoDetectOptions
{
    private string _input = string.Empty;
    private int? _degreeOfParallelism;
    private int _batchSize = 1;
    private TimeSpan _batchDelay = TimeSpan.FromMilliseconds(5);

    // MaxFrames and DecoderThreads are the source's settings: it validates them, and the job hands a copy to the source.
    private VideoSourceOptions _source = new();

    /// <summary>
    /// The input: a video file, an image folder, a camera index (digits) or a stream URL (contains <c>://</c>).
    /// </summary>
    /// <value>The default is the empty string, which fails when the job runs.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public string Input
    {
        get => _input;
        set
        {
            ArgumentNullException.ThrowIfNull(value, nameof(Input));
            _input = value;
        }
    }

    /// <summary>The detector.</summary>
    /// <value>The default is <see cref="DetectorKind.BlazeFaceFront"/>.</value>
    public DetectorKind Detector { get; set; } = DetectorKind.BlazeFaceFront;

    /// <summary>The ONNX model: required for <see cref="DetectorKind.Onnx"/>; overrides the bundled BlazeFace file.</summary>
    /// <value>The default is <see langword="null"/>: the BlazeFace file from <see cref="VideoAssets"/>.</value>
    public string? ModelPath { get; set; }

    /// <summary>The Haar cascade file for <see cref="DetectorKind.Haar"/>.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="HaarFaceDetector.DefaultCascadePath"/>.</value>
    public string? CascadePath { get; set; }

    /// <summary>The least detector score to keep a box (BlazeFace and user ONNX models).</summary>
    /// <value>The default is 0.5.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1).</exception>
    public float ScoreThreshold
    {
        get;
        set
        {
            if (!(value >= 0 && value < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(ScoreThreshold), value, "the score threshold must be in [0, 1)");
            }

            field = value;
        }
    } = 0.5f;

    /// <summary>Replicas of the preprocessing and detection stages (one ONNX Runtime session each, one intra-op thread each).</summary>
    /// <value>The default depends on the detector: 2 for the ONNX detectors; 1 for HOG and Haar, whose
    /// OpenCV calls already use every core, so more replicas only compete with them (and add latency).
    /// When neither this nor <see cref="DecoderThreads"/> is set, a run of an ONNX detector on a video file of
    /// 100 frames or more measures the cost of decoding and of detecting its first frames and picks the replicas
    /// and decoding threads from them (see <see cref="VideoDetectResult.Parallelism"/>); this property still
    /// reads 2 then.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int DegreeOfParallelism
    {
        get => _degreeOfParallelism ?? (Detector is DetectorKind.Hog or DetectorKind.Haar ? 1 : 2);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(DegreeOfParallelism));
            _degreeOfParallelism = value;
        }
    }

    /// <summary>FFmpeg's decoding threads for a file or stream (see <see cref="VideoSourceOptions.DecoderThreads"/>).</summary>
    /// <value>The default is <see langword="null"/>: the cores the detector replicas leave free, at least 1
    /// (1 on a 2-core machine at the default DOP 2), or the measured choice described under
    /// <see cref="DegreeOfParallelism"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int? DecoderThreads
    {
        get => _source.DecoderThreads;
        set => _source.DecoderThreads = value;
    }

    /// <summary>The decoder for a video file (see <see cref="VideoDecoder"/>).</summary>
    /// <value>The default is <see cref="VideoDecoder.Auto"/>: for an ONNX detector (which letterboxes frames into tensors)
    /// FFmpeg's decoder directly when the file passes its checks, else OpenCV's; for <c>hog</c> and <c>haar</c>, which need
    /// every frame in BGR, OpenCV's.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a <see cref="VideoDecoder"/>.</exception>
    public VideoDecoder Decoder
    {
        get => _source.Decoder;
        set => _source.Decoder = value;
    }

    /// <summary>Whether <see cref="DegreeOfParallelism"/> or <see cref="DecoderThreads"/> was set (then nothing is measured).</summary>
    internal bool ParallelismIsSet => _degreeOfParallelism is not null || _source.DecoderThreads is not null;

    /// <summary>
    /// The most frames per inference call (dynamic batching, ONNX detectors on files). A model whose batch
    /// dimension is fixed to 1 (the bundled BlazeFace files) runs a batch's frames one after another.
    /// </summary>
    /// <value>The default is 1.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int BatchSize
    {
        get => _batchSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(BatchSize));
            _batchSize = value;
        }
    }

    /// <summary>The longest the first frame of a partial batch waits for more.</summary>
    /// <value>The default is 5 ms.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan BatchDelay
    {
        get => _batchDelay;
        set
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(BatchDelay), value, "the delay must be positive");
            }

            _batchDelay = value;
        }
    }

    /// <summary>Stop after this many frames.</summary>
    /// <value>The default is <see langword="null"/>: all frames (live inputs run until stopped).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public long? MaxFrames
    {
        get => _source.MaxFrames;
        set => _source.MaxFrames = value;
    }

    /// <summary>The annotated video (.mp4 with mp4v, .avi with MJPG).</summary>
    /// <value>The default is <see langword="null"/>: none.</value>
    public string? VideoOutput { get; set; }

    /// <summary>The JSON lines file, one object per frame.</summary>
    /// <value>The default is <see langword="null"/>: none.</value>
    public string? JsonOutput { get; set; }

    /// <summary>A folder for annotated snapshots.</summary>
    /// <value>The default is <see langword="null"/>: none.</value>
    public string? SnapshotDirectory { get; set; }

    /// <summary>How the run is shown while it goes.</summary>
    /// <value>The default is <see cref="Flow.Pipeline.LiveViewMode.Auto"/>.</value>
    public Flow.Pipeline.LiveViewMode View { get; set; } = Flow.Pipeline.LiveViewMode.Auto;

    /// <summary>
    /// Parses a detector name: <c>blazeface-front</c>, <c>blazeface-back</c>, <c>hog</c>, <c>haar</c>, or
    /// <c>onnx:&lt;path&gt;</c> (which also sets <see cref="ModelPath"/>).
    /// </summary>
    /// <param name="text">The name.</param>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the valid ones.</exception>
    public void SetDetector(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string lower = text.Trim().ToLower(CultureInfo.InvariantCulture);
        if (lower.StartsWith("onnx:", StringComparison.Ordinal))
        {
            Detector = DetectorKind.Onnx;
            ModelPath = text.Trim()[5..];
            return;
        }

        Detector = lower switch
        {
            "blazeface-front" or "blazeface" => DetectorKind.BlazeFaceFront,
            "blazeface-back" => DetectorKind.BlazeFaceBack,
            "hog" => DetectorKind.Hog,
            "haar" => DetectorKind.Haar,
            _ => throw new ArgumentException($"unknown detector '{text}' (use blazeface-front, blazeface-back, hog, haar or onnx:<path>)", nameof(text)),
        };
    }

    /// <summary>Returns a copy, so later changes to this object do not reach a job.</summary>
    /// <returns>A new options object with the same values.</returns>
    public VideoDetectOptions Clone()
    {
        var copy = (VideoDetectOptions)MemberwiseClone();
        copy._source = _source.Clone();
        return copy;
    }

    /// <summary>The source's settings: a copy, with <see cref="DecoderThreads"/> filled in as the job chooses it and
    /// <see cref="Decoder"/> resolved for the detector.</summary>
    /// <param name="decoderThreads">The decoder threads to use when <see cref="DecoderThreads"/> is not set.</param>
    /// <returns>A new options object.</returns>
    internal VideoSourceOptions SourceOptions(int decoderThreads)
    {
        var options = _source.Clone();
        options.DecoderThreads ??= decoderThreads;
        if (options.Decoder == VideoDecoder.Auto && Detector is DetectorKind.Hog or DetectorKind.Haar)
        {
            options.Decoder = VideoDecoder.OpenCv;
        }

        return options;
    }
}
