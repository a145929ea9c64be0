using Flow.Pipeline;
using Flow.Stages.Video;

namespace Flow.Apps.VideoDetect.Benchmarks;

/// <summary>The code sample in docs/VIDEO.md, compiled here so it stays correct.</summary>
internal static class ReadmeSample
{
    public static async Task<PipelineResult> DetectFacesAsync(string videoPath, string modelPath)
    {
        var blaze = new BlazeFaceOptions { ModelPath = modelPath };        // face_detection_front_128x128_barracuda.onnx
        var builder = new PipelineBuilder(new PipelineOptions { Name = "faces" });
        builder.From(VideoSource.FromFile(videoPath), "decode")
            .Then(f => FrameTensors.Letterbox(f, blaze.InputFormat), new StageOptions { Name = "preprocess", MaxDegreeOfParallelism = 2 })
            .Batch(1)
            .Then(() => new BlazeFaceDetector(blaze), new StageOptions { Name = "detect", MaxDegreeOfParallelism = 2 }) // 2 ONNX Runtime sessions
            .Unbatch()
            .Then(new IouTracker(), new StageOptions { Name = "track" })                                             // in frame order
            .To(new DetectionOutputSink(new DetectionOutputOptions { VideoPath = "faces.mp4", JsonLinesPath = "faces.jsonl" }));
        return await LiveView.RunAsync(builder.Build().Start());
    }
}
