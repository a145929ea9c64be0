namespace Flow.Stages.Video;

/// <summary>One detected object in a frame.</summary>
/// <param name="Box">Where it is, in the frame's pixel coordinates.</param>
/// <param name="Score">The detector's confidence in [0, 1].</param>
/// <param name="Label">What it is, e.g. <c>face</c> or <c>person</c>.</param>
/// <param name="TrackId">The tracker's stable id for this object across frames; -1 before tracking.</param>
public readonly record struct Detection(BoundingBox Box, float Score, string Label, int TrackId = -1);
