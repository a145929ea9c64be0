using Flow.Pipeline;
using OpenCvSharp;

namespace Flow.Stages.Video;

/// <summary>
/// Detects frontal faces with an OpenCV Haar (or LBP) cascade, by default Debian <c>opencv-data</c>'s
/// <c>haarcascade_frontalface_default.xml</c>. Not thread-safe: add it with a factory so each replica
/// has its own classifier.
/// </summary>
public sealed class HaarFaceDetector : Stage<Frame, DetectionFrame>, IDisposable
{
    /// <summary>Where Debian's <c>opencv-data</c> installs the default frontal-face cascade.</summary>
    public const string DefaultCascadePath = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";

    private readonly string _cascadePath;
    private readonly int _minNeighbors;
    private readonly int _minSize;
    private CascadeClassifier? _cascade;

    /// <summary>Creates the detector; the cascade is loaded when the stage opens.</summary>
    /// <param name="cascadePath">The cascade XML file; <see cref="DefaultCascadePath"/> by default.</param>
    /// <param name="minNeighbors">Overlapping hits needed to keep a face; 5 by default (higher is stricter).</param>
    /// <param name="minSize">The smallest face side in pixels; 40 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minNeighbors"/> is negative or <paramref name="minSize"/> is not positive.</exception>
    public HaarFaceDetector(string? cascadePath = null, int minNeighbors = 5, int minSize = 40)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minNeighbors);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minSize);
        _cascadePath = cascadePath ?? DefaultCascadePath;
        _minNeighbors = minNeighbors;
        _minSize = minSize;
    }

    /// <inheritdoc />
    /// <exception cref="FileNotFoundException">The cascade file does not exist (the message names it).</exception>
    /// <exception cref="InvalidDataException">The file is not a cascade OpenCV can load.</exception>
    public override ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        if (!File.Exists(_cascadePath))
        {
            throw new FileNotFoundException($"cascade file '{_cascadePath}' not found (install the Debian package opencv-data, or pass another cascade)", _cascadePath);
        }

        var cascade = new CascadeClassifier();
        if (!cascade.Load(_cascadePath))
        {
            cascade.Dispose();
            throw new InvalidDataException($"cascade file '{_cascadePath}' cannot be loaded by OpenCV (not a Haar/LBP cascade XML)");
        }

        _cascade = cascade;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override ValueTask<DetectionFrame> ProcessAsync(Frame item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var cascade = _cascade ?? throw new InvalidOperationException("the stage is not open");
        using var gray = new Mat();
        Cv2.CvtColor(item.Image, gray, ColorConversionCodes.BGR2GRAY);
        Cv2.EqualizeHist(gray, gray);
        var rects = cascade.DetectMultiScale(gray, out _, out double[] levelWeights, 1.1, _minNeighbors, HaarDetectionTypes.ScaleImage, new Size(_minSize, _minSize), null, outputRejectLevels: true);
        var detections = new Detection[rects.Length];
        for (int i = 0; i < rects.Length; i++)
        {
            var r = rects[i];
            float score = levelWeights.Length > i ? 1f / (1f + MathF.Exp(-(float)levelWeights[i])) : 1f;
            detections[i] = new Detection(new BoundingBox(r.Left, r.Top, r.Right, r.Bottom), score, "face");
        }

        return ValueTask.FromResult(new DetectionFrame(item, detections));
    }

    /// <inheritdoc />
    public override ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Releases the classifier.</summary>
    public void Dispose()
    {
        _cascade?.Dispose();
        _cascade = null;
    }
}
