using Flow.Neural;
using Flow.Pipeline;
using Flow.Stages.Inference;
using OpenCvSharp;

namespace Flow.Stages.Video.Tests;

/// <summary>Runs detectors in a small pipeline; the hand-annotated portrait.</summary>
internal static class DetectorHarness
{
    /// <summary>Grace Hopper's face in grace_hopper_512x512.jpg, annotated by hand.</summary>
    public static readonly BoundingBox GraceFace = new(172, 126, 365, 318);

    public static async Task<IReadOnlyList<DetectionFrame>> RunAsync<TStage>(IEnumerable<Frame> frames, Func<StageHandle<Frame>, StageHandle<DetectionFrame>> detect)
    {
        var builder = new PipelineBuilder();
        var results = detect(builder.From(frames, "frames")).Collect();
        await builder.Build().RunAsync();
        return results.Items;
    }

    public static Frame Grace(long index = 0) => new(index, TimeSpan.Zero, Cv2.ImRead(TestFiles.Asset("grace_hopper_512x512.jpg")), "grace");
}
