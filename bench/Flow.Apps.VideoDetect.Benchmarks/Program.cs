using System.Diagnostics;
using System.Globalization;
using Flow.Apps.VideoDetect;
using Flow.Pipeline;
using Flow.Stages.Video;
using OpenCvSharp;

// VideoDetect throughput, all figures from this one run (the machine is shared: compare ratios, not absolutes).
//   decode-only   : OpenCV VideoCapture.Read in a loop (the upper limit)
//   sequential    : the loop a user would write: read → letterbox → detect → track, one frame at a time
//   flow dop N    : VideoDetectJob (decode → preprocess ×N → batch → detect ×N sessions → track), no outputs
// Usage: dotnet run -c Release --project bench/Flow.Apps.VideoDetect.Benchmarks -- [--repeat 3] [--frames 300] [--hog-frames 40]
//        dotnet run -c Release --project bench/Flow.Apps.VideoDetect.Benchmarks -- accuracy [--frames 300]
if (args.Length > 0 && args[0] == "accuracy")
{
    // Precision/recall at IoU 0.5 and id switches on a generated clip with known face boxes.
    int frames = Arg("--frames", 300);
    foreach (int faceSize in new[] { 110, 56 })
    {
        string path = Path.Combine(Path.GetTempPath(), "flow-video-bench", $"accuracy{frames}_{faceSize}.avi");
        var truth = SyntheticFaceClip.Generate(path, new SyntheticClipOptions { FrameCount = frames, FaceSize = faceSize });
        Console.WriteLine($"generated clip: {frames} frames 640x360, 3 moving faces of about {faceSize} px, {path}");
        foreach (var detector in new[] { DetectorKind.BlazeFaceFront, DetectorKind.BlazeFaceBack, DetectorKind.Haar })
        {
            var result = await new VideoDetectJob(new VideoDetectOptions { Input = path, Detector = detector }).RunAsync(null, default);
            Console.WriteLine($"  {detector}: {DetectionAccuracy.Evaluate(truth, result.Frames)}, {result.Tracks} tracks");
        }
    }

    return 0;
}

int repeat = Arg("--repeat", 3);
int clipFrames = Arg("--frames", 300);
int hogFrames = Arg("--hog-frames", 40);
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
Console.WriteLine($"VideoDetect benchmark: {Environment.ProcessorCount} cores, repeat {repeat} (variants interleaved, median of runs), {DateTime.UtcNow:u}");
string clip = Path.Combine(Path.GetTempPath(), "flow-video-bench", "faces.avi");
Directory.CreateDirectory(Path.GetDirectoryName(clip)!);
SyntheticFaceClip.Generate(clip, new SyntheticClipOptions { FrameCount = clipFrames });
string vtest = VideoAssets.PathOf("vtest.avi");

var rows = new List<string[]>();
Measure("generated 640x360", clip, DetectorKind.BlazeFaceFront, null);
Measure("vtest.avi 768x576", vtest, DetectorKind.BlazeFaceFront, null);
Measure("vtest.avi 768x576", vtest, DetectorKind.BlazeFaceBack, null);
Measure("vtest.avi 768x576", vtest, DetectorKind.Hog, hogFrames);
Console.WriteLine();
Console.WriteLine("| input | detector | variant | frames | fps | × sequential | % of decode-only | latency p50 ms | latency p99 ms |");
Console.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|");
foreach (var row in rows)
{
    Console.WriteLine("| " + string.Join(" | ", row) + " |");
}

return 0;

void Measure(string input, string path, DetectorKind detector, int? maxFrames)
{
    // Variants are interleaved (one run of each, repeated), so slow drifts in the machine's load hit all of them alike.
    var variants = new Func<Run>[]
    {
        () => DecodeOnly(path, maxFrames),
        () => Sequential(path, detector, maxFrames, 1),
        () => Sequential(path, detector, maxFrames, Environment.ProcessorCount),
        () => FlowRun(path, detector, maxFrames, 1),
        () => FlowRun(path, detector, maxFrames, 2),
    };
    var runs = variants.Select(_ => new List<Run>()).ToArray();
    for (int r = 0; r < repeat; r++)
    {
        for (int v = 0; v < variants.Length; v++)
        {
            runs[v].Add(variants[v]());
        }
    }

    var medians = runs.Select(list => list.OrderBy(run => run.Fps).ElementAt(list.Count / 2)).ToArray();
    var (decode, sequential, sequentialDefault, flow1, flow2) = (medians[0], medians[1], medians[2], medians[3], medians[4]);
    void Row(string variant, Run run) => rows.Add(
    [
        input, detector.ToString(), variant, run.Frames.ToString(CultureInfo.InvariantCulture), $"{run.Fps:0.0}",
        $"{run.Fps / sequential.Fps:0.00}", $"{100 * run.Fps / decode.Fps:0}%", run.P50 is { } p50 ? $"{p50:0.0}" : "–", run.P99 is { } p99 ? $"{p99:0.0}" : "–",
    ]);
    Row("decode-only", decode);
    Row("sequential (1 session, IntraOp=1)", sequential);
    Row($"sequential (1 session, IntraOp={Environment.ProcessorCount})", sequentialDefault);
    Row("flow dop 1", flow1);
    Row("flow dop 2", flow2);
    Console.WriteLine($"{input} {detector}: decode {decode.Fps:0.0} fps, sequential {sequential.Fps:0.0}, flow dop1 {flow1.Fps:0.0}, dop2 {flow2.Fps:0.0}");
}

static Run DecodeOnly(string path, int? maxFrames)
{
    var watch = Stopwatch.StartNew();
    using var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
    using var frame = new Mat();
    int frames = 0;
    while ((maxFrames is null || frames < maxFrames) && capture.Read(frame) && !frame.Empty())
    {
        frames++;
    }

    return new Run(frames, frames / watch.Elapsed.TotalSeconds, null, null);
}

static Run Sequential(string path, DetectorKind detector, int? maxFrames, int intraOpThreads)
{
    var watch = Stopwatch.StartNew();
    using var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
    var tracker = new IouTracker();
    var latencies = new List<double>();
    int frames = 0;
    HogPeopleDetector? classic = null;
    BlazeFaceDetector? blaze = null;
    BlazeFaceOptions? blazeOptions = null;
    if (detector == DetectorKind.Hog)
    {
        classic = new HogPeopleDetector();
        classic.OpenAsync(null!, default).AsTask().GetAwaiter().GetResult();
    }
    else
    {
        bool back = detector == DetectorKind.BlazeFaceBack;
        blazeOptions = new BlazeFaceOptions { Variant = back ? BlazeFaceVariant.Back256 : BlazeFaceVariant.Front128, ModelPath = VideoAssets.BlazeFaceModel(back) };
        blaze = new BlazeFaceDetector(blazeOptions, intraOpThreads);
        blaze.OpenAsync(null!, default).AsTask().GetAwaiter().GetResult();
    }

    while (maxFrames is null || frames < maxFrames)
    {
        long started = Stopwatch.GetTimestamp();
        var image = new Mat();
        if (!capture.Read(image) || image.Empty())
        {
            image.Dispose();
            break;
        }

        using var frame = new Frame(frames, TimeSpan.Zero, image, path);
        DetectionFrame found = blaze is not null
            ? blaze.ProcessAsync([FrameTensors.Letterbox(frame, blazeOptions!.InputFormat)], default).AsTask().GetAwaiter().GetResult()[0]
            : classic!.ProcessAsync(frame, default).AsTask().GetAwaiter().GetResult();
        tracker.Update(found.Detections);
        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        frames++;
    }

    blaze?.CloseAsync(default).AsTask().GetAwaiter().GetResult();
    classic?.CloseAsync(default).AsTask().GetAwaiter().GetResult();
    double fps = frames / watch.Elapsed.TotalSeconds;
    latencies.Sort();
    return new Run(frames, fps, latencies[latencies.Count / 2], latencies[Math.Min(latencies.Count - 1, (int)(latencies.Count * 0.99))]);
}

static Run FlowRun(string path, DetectorKind detector, int? maxFrames, int dop)
{
    var watch = Stopwatch.StartNew();
    var result = new VideoDetectJob(new VideoDetectOptions { Input = path, Detector = detector, DegreeOfParallelism = dop, MaxFrames = maxFrames, View = LiveViewMode.ReportOnly })
        .RunAsync(null, default).GetAwaiter().GetResult();
    var output = result.Pipeline["output"];
    return new Run(result.Frames.Count, result.Frames.Count / watch.Elapsed.TotalSeconds, output.EndToEndP50.TotalMilliseconds, output.EndToEndP99.TotalMilliseconds);
}

int Arg(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

internal sealed record Run(int Frames, double Fps, double? P50, double? P99);
