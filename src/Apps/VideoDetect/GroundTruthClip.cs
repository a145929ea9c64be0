namespace Flow.Apps.VideoDetect;

/// <summary>A generated video and the boxes of the faces in each of its frames.</summary>
/// <param name="VideoPath">The video file.</param>
/// <param name="Frames">Per frame (index = frame index), the known boxes.</param>
public sealed record GroundTruthClip(string VideoPath, IReadOnlyList<IReadOnlyList<GroundTruthBox>> Frames);
