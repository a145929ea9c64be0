using Flow.Stages.Video;

namespace Flow.Apps.VideoDetect;

/// <summary>What was found in one frame (without its image), in output order.</summary>
/// <param name="FrameIndex">The frame's 0-based index in the input.</param>
/// <param name="Timestamp">The frame's position in time.</param>
/// <param name="Detections">The tracked detections.</param>
public sealed record FrameDetections(long FrameIndex, TimeSpan Timestamp, IReadOnlyList<Detection> Detections);
