using Flow.Pipeline;
using Flow.Stages.Inference;
using Flow.Stages.Video;

namespace Flow.Apps.VideoDetect;

/// <summary>The video part of the main-job demo, on the fetched assets.</summary>
internal static class VideoDemo
{
    public const int ClipFrames = 60;
    public const int PeopleFrames = 30;

    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        string folder = Path.Combine(Path.GetTempPath(), "flow-video-demo");
        Directory.CreateDirectory(folder);
        try
        {
            string clip = Path.Combine(folder, "faces.avi");
            await output.WriteLineAsync($"video demo 1/2: BlazeFace (front 128, 2 ONNX Runtime sessions) on a generated {ClipFrames}-frame clip with known face boxes").ConfigureAwait(false);
            var truth = SyntheticFaceClip.Generate(clip, new SyntheticClipOptions { FrameCount = ClipFrames });
            var faces = await new VideoDetectJob(new VideoDetectOptions
            {
                Input = clip,
                Detector = DetectorKind.BlazeFaceFront,
                VideoOutput = Path.Combine(folder, "faces_annotated.mp4"),
                JsonOutput = Path.Combine(folder, "faces.jsonl"),
                View = LiveViewMode.ReportOnly,
            }).RunAsync(output, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"faces: {DetectionAccuracy.Evaluate(truth, faces.Frames)}").ConfigureAwait(false);

            string people = VideoAssets.PathOf("vtest.avi");
            await output.WriteLineAsync($"video demo 2/2: HOG people detector on the first {PeopleFrames} frames of vtest.avi").ConfigureAwait(false);
            var walkers = await new VideoDetectJob(new VideoDetectOptions
            {
                Input = people,
                Detector = DetectorKind.Hog,
                MaxFrames = PeopleFrames,
                VideoOutput = Path.Combine(folder, "people_annotated.mp4"),
                JsonOutput = Path.Combine(folder, "people.jsonl"),
                View = LiveViewMode.ReportOnly,
            }).RunAsync(output, cancellationToken).ConfigureAwait(false);
            double perFrame = walkers.Frames.Count == 0 ? 0 : (double)walkers.Detections / walkers.Frames.Count;
            await output.WriteLineAsync($"people: {walkers.Frames.Count} frames, {perFrame:0.0} people per frame on average, {walkers.Tracks} tracks").ConfigureAwait(false);
            await output.WriteLineAsync($"video demo outputs (annotated videos, JSON lines): {folder}").ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex) when (ex is FileNotFoundException or StageFailedException or OnnxModelException or IOException or InvalidDataException)
        {
            await output.WriteLineAsync($"video demo: {VideoCommandLine.Describe(ex) ?? ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
