using Flow.Pipeline;
using OpenCvSharp;

namespace Flow.Stages.Video;

/// <summary>
/// Detects standing people with OpenCV's built-in HOG + linear SVM people detector (64×128 window).
/// Not thread-safe: add it with a factory so each replica has its own descriptor.
/// </summary>
public sealed class HogPeopleDetector : Stage<Frame, DetectionFrame>, IDisposable
{
    private readonly double _hitThreshold;
    private readonly double _scale;
    private readonly int _maxWidth;
    private HOGDescriptor? _hog;

    /// <summary>Creates the detector.</summary>
    /// <param name="hitThreshold">SVM margin above which a window counts; 0 is OpenCV's default, higher is stricter.</param>
    /// <param name="scale">Step between pyramid levels; 1.05 is OpenCV's default.</param>
    /// <param name="maxWidth">Frames wider than this are downscaled before detection (boxes are mapped back); 0 keeps full size.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> is not above 1, or <paramref name="maxWidth"/> is negative.</exception>
    public HogPeopleDetector(double hitThreshold = 0, double scale = 1.05, int maxWidth = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(scale, 1.0);
        ArgumentOutOfRangeException.ThrowIfNegative(maxWidth);
        _hitThreshold = hitThreshold;
        _scale = scale;
        _maxWidth = maxWidth;
    }

    /// <inheritdoc />
    public override ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        _hog = new HOGDescriptor();
        _hog.SetSVMDetector(HOGDescriptor.GetDefaultPeopleDetector());
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override ValueTask<DetectionFrame> ProcessAsync(Frame item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var hog = _hog ?? throw new InvalidOperationException("the stage is not open");
        double factor = _maxWidth > 0 && item.Width > _maxWidth ? (double)_maxWidth / item.Width : 1.0;
        Rect[] rects;
        double[] weights;
        if (factor < 1.0)
        {
            using var small = new Mat();
            Cv2.Resize(item.Image, small, new Size(0, 0), factor, factor, InterpolationFlags.Area);
            rects = hog.DetectMultiScale(small, out weights, _hitThreshold, new Size(8, 8), new Size(8, 8), _scale, 2);
        }
        else
        {
            rects = hog.DetectMultiScale(item.Image, out weights, _hitThreshold, new Size(8, 8), new Size(8, 8), _scale, 2);
        }

        var detections = new Detection[rects.Length];
        for (int i = 0; i < rects.Length; i++)
        {
            var r = rects[i];
            var box = new BoundingBox((float)(r.Left / factor), (float)(r.Top / factor), (float)(r.Right / factor), (float)(r.Bottom / factor)).ClipTo(item.Width, item.Height);
            // The SVM margin is unbounded; squash it into (0, 1) so it reads like the other detectors' scores.
            float score = weights.Length > i ? 1f / (1f + MathF.Exp(-(float)weights[i])) : 1f;
            detections[i] = new Detection(box, score, "person");
        }

        return ValueTask.FromResult(new DetectionFrame(item, detections));
    }

    /// <inheritdoc />
    public override ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Releases the descriptor.</summary>
    public void Dispose()
    {
        _hog?.Dispose();
        _hog = null;
    }
}
