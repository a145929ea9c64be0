using Flow.Pipeline;
using Flow.Stages.Video;

namespace Flow.Apps.VideoDetect;

/// <summary>Records each frame's detections (for the result and accuracy figures), then hands the frame to the output sink.</summary>
internal sealed class RecordingSink(DetectionOutputSink output) : ISinkStage<DetectionFrame>
{
    private readonly List<FrameDetections> _frames = [];

    public IReadOnlyList<FrameDetections> Frames => _frames;

    public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken) => output.OpenAsync(context, cancellationToken);

    public ValueTask ConsumeAsync(DetectionFrame item, CancellationToken cancellationToken)
    {
        _frames.Add(new FrameDetections(item.Frame.Index, item.Frame.Timestamp, item.Detections));
        return output.ConsumeAsync(item, cancellationToken);
    }

    public ValueTask CloseAsync(CancellationToken cancellationToken) => output.CloseAsync(cancellationToken);
}
