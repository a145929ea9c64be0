namespace Flow.Stages.Video;

/// <summary>A frame with what a detector (and later the tracker) found in it.</summary>
/// <param name="Frame">The frame; disposed by the sink that consumes this object.</param>
/// <param name="Detections">The detections, in the frame's pixel coordinates.</param>
public sealed record DetectionFrame(Frame Frame, IReadOnlyList<Detection> Detections);
