using Flow.Stages.Video;

namespace Flow.Apps.VideoDetect;

/// <summary>A known object in a generated frame.</summary>
/// <param name="ObjectId">Which object (stable across frames), for counting id switches.</param>
/// <param name="Box">Where it is, in frame pixels.</param>
public readonly record struct GroundTruthBox(int ObjectId, BoundingBox Box);
