using System.Diagnostics;
using System.Globalization;
using Flow.Apps.VideoDetect;
using Flow.Pipeline;
using Flow.Stages.Video;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

// VideoDetect throughput, all figures from this one run (the machine is shared: compare ratios, not absolutes).
//   decode-only   : OpenCV VideoCapture.Read in a loop (the upper limit)
//   sequential    : the loop a user would write: read → letterbox → detect → track, one frame at a time
//   flow dop N    : VideoDetectJob (decode → preprocess ×N → batch → detect ×N sessions → track), no outputs; for the ONNX
//                   detectors DOP 1 once more with 2 FFmpeg decoding threads, and the job's default ("flow auto": replicas
//                   and decoding threads chosen from the measured cost of the first frames), and that default once more with
//                   OpenCV's decoder (--decoder opencv; the default decodes with FFmpeg directly, session 9)
//   cpu ms/frame  : process CPU time (all threads) per frame; cores = CPU time / wall time
// Usage: dotnet run -c Release --project bench/Flow.Apps.VideoDetect.Benchmarks -- [--repeat 3] [--warmup 1] [--frames 300] [--hog-frames 40]
//            [--cases gen-front,vtest-front,vtest-back,vtest-hog]
//        ... -- decode <case> [--repeat 5]    (read vs grab-only, FFmpeg's default threads vs 1)
//        ... -- timeline <case> [--repeat 2]  (cores busy in 10 ms slices and CPU per thread name, Flow DOP 2 vs the loop)
//        ... -- probe <case> [--repeat 3]     (ms per decoded frame of the first 12, and the replicas/threads the job chooses)
//        ... -- batching <case> [--repeat 12] [--round-frames 96] (BlazeFace CPU ms/frame at batch 1, 2, 4, 8 with a batch-polymorphic copy of the model)
//        ... -- decoders <case> [--repeat 6]  (OpenCV read + letterbox vs FFmpeg decode + letterbox from YUV rows: equality, CPU ms/frame)
//        ... -- phases <case> [--repeat 3]    (the default against --dop 1: wall ms before the pipeline starts, the pipeline's ms, CPU ms)
//        dotnet run -c Release --project bench/Flow.Apps.VideoDetect.Benchmarks -- accuracy [--frames 300]
//        dotnet run -c Release --project bench/Flow.Apps.VideoDetect.Benchmarks -- report <case> [--dop 2] (the pipeline's end-of-run report)
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
// Untimed rounds of every variant before the timed ones, so the JIT's tier-up of both the loop's and Flow's code is
// not inside the timed runs (BenchmarkDotNet's warm-up, in short).
int warmup = Arg("--warmup", 1);
int clipFrames = Arg("--frames", 300);
int hogFrames = Arg("--hog-frames", 40);
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
Console.WriteLine($"VideoDetect benchmark: {Environment.ProcessorCount} cores, repeat {repeat} after {warmup} untimed round(s) (variants interleaved, median of runs), {DateTime.UtcNow:u}");
string clip = Path.Combine(Path.GetTempPath(), "flow-video-bench", "faces.avi");
bool clipWritten = false;
string vtest = VideoAssets.PathOf("vtest.avi");

if (args.Length > 1 && args[0] == "decoders")
{
    // OpenCV's read + letterbox against FFmpeg's decoder + a letterbox from the YUV planes: equality, then CPU ms per frame.
    var (input, detector, _) = CaseOf(args[1], 40);
    var blazeFormat = new BlazeFaceOptions { Variant = detector == DetectorKind.BlazeFaceBack ? BlazeFaceVariant.Back256 : BlazeFaceVariant.Front128 }.InputFormat;
    DecoderComparison.Run(input, blazeFormat, repeat);
    return 0;
}

if (args.Length > 1 && args[0] == "report")
{
    // One Flow run of a case with the pipeline's own end-of-run report (per-stage rates, busy share, bottleneck).
    var (input, detector, limit) = CaseOf(args[1], Arg("--hog-frames", 40));
    var report = await new VideoDetectJob(new VideoDetectOptions { Input = input, Detector = detector, DegreeOfParallelism = Arg("--dop", 2), MaxFrames = limit, View = LiveViewMode.ReportOnly })
        .RunAsync(Console.Out, default);
    Console.WriteLine($"{report.Frames.Count} frames");
    return 0;
}

if (args.Length > 1 && args[0] == "steps")
{
    // Where the sequential loop's time goes: mean ms per frame of each step, and GCs (gen 0/1/2) during the loop.
    var (input, detector, limit) = CaseOf(args[1], Arg("--hog-frames", 40));
    bool back = detector == DetectorKind.BlazeFaceBack;
    var blazeOptions = new BlazeFaceOptions { Variant = back ? BlazeFaceVariant.Back256 : BlazeFaceVariant.Front128, ModelPath = VideoAssets.BlazeFaceModel(back) };
    for (int pass = 0; pass < 2; pass++)
    {
        var blaze = new BlazeFaceDetector(blazeOptions);
        await blaze.OpenAsync(null!, default);
        using var capture = new VideoCapture(input, VideoCaptureAPIs.FFMPEG);
        var tracker = new IouTracker();
        double read = 0, letterbox = 0, detect = 0, track = 0;
        int n = 0;
        int[] gcs = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        using var image = new Mat();
        while (true)
        {
            long t0 = Stopwatch.GetTimestamp();
            if (!capture.Read(image) || image.Empty())
            {
                break;
            }

            long t1 = Stopwatch.GetTimestamp();
            var frame = new Frame(n, TimeSpan.Zero, image, input);
            var tensor = FrameTensors.Letterbox(frame, blazeOptions.InputFormat);
            long t2 = Stopwatch.GetTimestamp();
            var found = (await blaze.ProcessAsync([tensor], default))[0];
            long t3 = Stopwatch.GetTimestamp();
            tracker.Update(found.Detections);
            long t4 = Stopwatch.GetTimestamp();
            read += Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
            letterbox += Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds;
            detect += Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds;
            track += Stopwatch.GetElapsedTime(t3, t4).TotalMilliseconds;
            n++;
        }

        await blaze.CloseAsync(default);
        Console.WriteLine($"pass {pass}: {n} frames, ms/frame: read {read / n:0.000}, letterbox {letterbox / n:0.000}, detect {detect / n:0.000}, track {track / n:0.000}; " +
            $"GCs gen0/1/2: {GC.CollectionCount(0) - gcs[0]}/{GC.CollectionCount(1) - gcs[1]}/{GC.CollectionCount(2) - gcs[2]}");
    }

    return 0;
}

if (args.Length > 1 && args[0] == "timeline")
{
    // Where Flow's idle goes: the process's cores busy in 10 ms slices through one run (start-up, steady state, drain),
    // sampled by a thread of its own from the process CPU time; each run of `--repeat` alternates DOP 2 and the loop.
    var (input, detector, limit) = CaseOf(args[1], Arg("--hog-frames", 40));
    for (int w = 0; w < warmup; w++)
    {
        FlowRun(input, detector, limit, Arg("--dop", 2));
        Sequential(input, detector, limit, 1);
    }

    for (int r = 0; r < repeat; r++)
    {
        foreach (bool flow in new[] { true, false })
        {
            var slices = new List<(double AtMs, double Cores)>();
            using var done = new ManualResetEventSlim();
            var sampler = new Thread(() =>
            {
                var process = System.Diagnostics.Process.GetCurrentProcess();
                var watch = Stopwatch.StartNew();
                double lastCpu = process.TotalProcessorTime.TotalMilliseconds, lastWall = 0;
                while (!done.Wait(10))
                {
                    process.Refresh();
                    double cpu = process.TotalProcessorTime.TotalMilliseconds, wall = watch.Elapsed.TotalMilliseconds;
                    slices.Add((wall, (cpu - lastCpu) / (wall - lastWall)));
                    (lastCpu, lastWall) = (cpu, wall);
                }
            }) { IsBackground = true };
            sampler.Start();
            var threadsBefore = ThreadTimes();
            var run = Measured(() => flow ? FlowRun(input, detector, limit, Arg("--dop", 2)) : Sequential(input, detector, limit, 1));
            var threadsAfter = ThreadTimes();
            done.Set();
            sampler.Join();
            // The sampler's own CPU (about 0.1 ms per slice) is inside these figures for both variants.
            string Mean(IEnumerable<(double AtMs, double Cores)> part) => part.Any() ? $"{part.Average(p => p.Cores):0.00}" : "-";
            int n = slices.Count;
            Console.WriteLine($"{(flow ? "flow dop " + Arg("--dop", 2) : "sequential")}: {run.Fps:0} fps, {run.Cores:0.00} cores; slices of 10 ms: " +
                $"first 5 [{string.Join(" ", slices.Take(5).Select(p => $"{p.Cores:0.00}"))}], mean of slices 6..n-3 {Mean(slices.Skip(5).Take(Math.Max(0, n - 8)))}, " +
                $"last 3 [{string.Join(" ", slices.Skip(Math.Max(0, n - 3)).Select(p => $"{p.Cores:0.00}"))}], {n} slices");
            // Per thread name: CPU ms and ms spent runnable but waiting for a core (from /proc/self/task/*/schedstat), summed.
            var byName = threadsAfter
                .Select(t => (t.Key, t.Value.Name, Run: t.Value.RunNs - (threadsBefore.TryGetValue(t.Key, out var b) ? b.RunNs : 0), Wait: t.Value.WaitNs - (threadsBefore.TryGetValue(t.Key, out var w) ? w.WaitNs : 0)))
                .Where(t => t.Run > 1_000_000)
                .GroupBy(t => t.Name)
                .Select(g => $"{g.Key} x{g.Count()}: {g.Sum(t => t.Run) / 1e6:0} ms cpu, {g.Sum(t => t.Wait) / 1e6:0} ms waiting for a core")
                .ToArray();
            Console.WriteLine("  threads: " + string.Join("; ", byName));
        }
    }

    return 0;
}

// Each thread of this process: name, nanoseconds on a CPU and nanoseconds runnable but waiting (Linux schedstat).
static Dictionary<int, (string Name, long RunNs, long WaitNs)> ThreadTimes()
{
    var times = new Dictionary<int, (string Name, long RunNs, long WaitNs)>();
    foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
    {
        try
        {
            string[] sched = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
            times[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] =
                (File.ReadAllText(Path.Combine(task, "comm")).Trim(), long.Parse(sched[0], CultureInfo.InvariantCulture), long.Parse(sched[1], CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            // The thread ended between the listing and the read.
        }
    }

    return times;
}

if (args.Length > 1 && args[0] == "decode")
{
    // Decode-only with FFmpeg's default threads (OpenCV's default: one per core) against one decoding thread (Flow's decoder
    // at DOP >= cores - 1), and grab-only (demux + decode, no BGR conversion and copy), alternated; median of --repeat.
    var (input, _, limit) = CaseOf(args[1], Arg("--hog-frames", 40));
    var kinds = new (string Name, Func<Run> Run)[]
    {
        ("read, FFmpeg default threads", () => DecodeOnly(input, limit)),
        ("read, 1 FFmpeg thread", () => DecodeOnly(input, limit, threads: 1)),
        ("grab only, FFmpeg default threads", () => DecodeOnly(input, limit, grabOnly: true)),
        ("grab only, 1 FFmpeg thread", () => DecodeOnly(input, limit, threads: 1, grabOnly: true)),
    };
    var results = kinds.Select(_ => new List<Run>()).ToArray();
    for (int r = 0; r < repeat; r++)
    {
        for (int k = 0; k < kinds.Length; k++)
        {
            results[k].Add(Measured(kinds[k].Run));
        }
    }

    for (int k = 0; k < kinds.Length; k++)
    {
        var median = results[k].OrderBy(run => run.Fps).ElementAt(results[k].Count / 2);
        Console.WriteLine($"{kinds[k].Name}: median {median.Fps:0.0} fps, {median.CpuMsPerFrame:0.00} CPU ms/frame, {median.Cores:0.00} cores; runs " +
            string.Join(", ", results[k].Select(run => $"{run.Fps:0}")));
    }

    return 0;
}

if (args.Length > 1 && args[0] == "probe")
{
    // What the job's cost measurement sees: ms per Read (one FFmpeg thread, one image reused) of the first 12 frames,
    // alone and while an ONNX Runtime session is being created on another core, then what the job chose.
    var (input, detector, _) = CaseOf(args[1], 40);
    for (int pass = 0; pass < repeat; pass++)
    {
        foreach (bool opening in new[] { false, true })
        {
            Task open = Task.CompletedTask;
            BlazeFaceDetector? session = null;
            if (opening)
            {
                session = new BlazeFaceDetector(new BlazeFaceOptions { ModelPath = VideoAssets.BlazeFaceModel(detector == DetectorKind.BlazeFaceBack) });
                open = session.OpenAsync(new StageContext("detect"), default).AsTask();
            }

            using var capture = new VideoCapture(input, VideoCaptureAPIs.FFMPEG, [70, 1]);
            using var image = new Mat();
            var ms = new List<double>();
            for (int i = 0; i < 12; i++)
            {
                long started = Stopwatch.GetTimestamp();
                capture.Read(image);
                ms.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            open.GetAwaiter().GetResult();
            session?.CloseAsync(default).AsTask().GetAwaiter().GetResult();
            Console.WriteLine($"pass {pass}, {(opening ? "session opening" : "alone")}: " + string.Join(" ", ms.Select(m => $"{m:0.00}")));
        }

        var auto = FlowRun(input, detector, null, null);
        Console.WriteLine($"pass {pass}: job chose {auto.Choice}, {auto.Fps:0} fps");
    }

    return 0;
}

if (args.Length > 1 && args[0] == "phases")
{
    // Where the default run's time goes against an explicit setting: wall ms before the pipeline starts (the measurement,
    // building), the pipeline's own elapsed ms, and the process CPU ms; the default and `--dop 1` alternated.
    var (input, detector, limit) = CaseOf(args[1], 40);
    for (int pass = 0; pass < warmup + repeat; pass++)
    {
        foreach (int? dop in new int?[] { null, 1 })
        {
            var options = new VideoDetectOptions { Input = input, Detector = detector, MaxFrames = limit, View = LiveViewMode.ReportOnly };
            if (dop is { } replicas)
            {
                options.DegreeOfParallelism = replicas;
            }

            var (result, wall, cpuMs) = Timed(() => new VideoDetectJob(options).RunAsync(null, default).GetAwaiter().GetResult());
            double pipeline = result.Pipeline.Snapshot.Elapsed.TotalMilliseconds;
            Console.WriteLine($"pass {pass}{(pass < warmup ? " (warm-up)" : string.Empty)}, {(dop is null ? "default" : "dop 1  ")}: {result.Frames.Count} frames, wall {wall:0.0} ms = before the pipeline {wall - pipeline:0.0} + pipeline {pipeline:0.0}; " +
                $"CPU {cpuMs:0} ms; {result.Parallelism}");
        }
    }

    return 0;
}

if (args.Length > 1 && args[0] == "batching")
{
    // Does dynamic batching lower BlazeFace's CPU per frame? The bundled model (batch fixed to 1) against an in-memory
    // batch-polymorphic copy (BatchPolymorphicModel) at batch 1, 2, 4, 8, and the original at ONNX Runtime's EXTENDED
    // level (no NCHWc layout); every session IntraOp = 1, so a call runs on the calling thread and its CPU time is the
    // cost. Inputs: the case's first 8 frames, letterboxed. First the check that a batch of B gives the outputs of B
    // batch-1 calls of the original, then one untimed and --repeat timed rounds (order reversed every other round) of --round-frames frames each (96; back-256 48).
    var (input, detector, _) = CaseOf(args[1], 40);
    bool back = detector == DetectorKind.BlazeFaceBack;
    var blazeOptions = new BlazeFaceOptions { Variant = back ? BlazeFaceVariant.Back256 : BlazeFaceVariant.Front128, ModelPath = VideoAssets.BlazeFaceModel(back) };
    byte[] original = File.ReadAllBytes(blazeOptions.ModelPath);
    byte[] batchable = BatchPolymorphicModel.Rewrite(original, out string rewriteReport) ?? throw new InvalidOperationException(rewriteReport);
    Console.WriteLine($"{blazeOptions.ModelPath}: {rewriteReport}");
    const int maxBatch = 8;
    var format = blazeOptions.InputFormat;
    int itemLength = format.Height * format.Width * 3;
    var inputs = new float[maxBatch * itemLength];
    using (var capture = new VideoCapture(input, VideoCaptureAPIs.FFMPEG))
    using (var image = new Mat())
    {
        for (int i = 0; i < maxBatch && capture.Read(image); i++)
        {
            var tensor = FrameTensors.Letterbox(new Frame(i, TimeSpan.Zero, image, input), format);
            tensor.Tensor.AsSpan(0, itemLength).CopyTo(inputs.AsSpan(i * itemLength));
            tensor.ReleaseTensor();
        }
    }

    InferenceSession Open(byte[] model, GraphOptimizationLevel level)
    {
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, GraphOptimizationLevel = level, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        return new InferenceSession(model, sessionOptions);
    }

    using var single = Open(original, GraphOptimizationLevel.ORT_ENABLE_ALL);
    using var batched = Open(batchable, GraphOptimizationLevel.ORT_ENABLE_ALL);
    using var extended = Open(original, GraphOptimizationLevel.ORT_ENABLE_EXTENDED);
    string[] inputNames = [single.InputNames[0]];
    string[] outputNames = [.. single.OutputNames];
    using var runOptions = new RunOptions();
    // One bound call per variant: input = the first B frames, outputs written into arrays of [B, anchors, values].
    (OrtValue[] In, OrtValue[] Out, float[][] Outputs) Bind(InferenceSession session, int batch, int offset = 0)
    {
        float[] data = inputs.AsSpan(offset * itemLength, batch * itemLength).ToArray();
        var outputs = outputNames.Select(n => new float[batch * single.OutputMetadata[n].Dimensions.Skip(1).Aggregate(1, (a, d) => a * d)]).ToArray();
        return ([OrtValue.CreateTensorValueFromMemory(data, new long[] { batch, format.Height, format.Width, 3 })],
            outputNames.Select((n, o) => OrtValue.CreateTensorValueFromMemory(outputs[o], [batch, .. single.OutputMetadata[n].Dimensions.Skip(1).Select(d => (long)d)])).ToArray(),
            outputs);
    }

    double worst = 0;
    foreach (int batch in new[] { 1, 2, 4, 8 })
    {
        var together = Bind(batched, batch);
        batched.Run(runOptions, inputNames, together.In, outputNames, together.Out);
        for (int k = 0; k < batch; k++)
        {
            var alone = Bind(single, 1, k);
            single.Run(runOptions, inputNames, alone.In, outputNames, alone.Out);
            for (int o = 0; o < outputNames.Length; o++)
            {
                int per = alone.Outputs[o].Length;
                for (int j = 0; j < per; j++)
                {
                    worst = Math.Max(worst, Math.Abs(together.Outputs[o][(k * per) + j] - alone.Outputs[o][j]));
                }
            }
        }
    }

    Console.WriteLine($"largest |batch of B - B batch-1 calls of the original| over B = 1, 2, 4, 8 and every output: {worst:G3}");
    var variants = new (string Name, InferenceSession Session, int Batch)[]
    {
        ("original, batch 1", single, 1), ("batch-polymorphic, batch 1", batched, 1), ("batch-polymorphic, batch 2", batched, 2),
        ("batch-polymorphic, batch 4", batched, 4), ("batch-polymorphic, batch 8", batched, 8), ("original, batch 1, EXTENDED", extended, 1),
    };
    var bound = variants.Select(v => Bind(v.Session, v.Batch)).ToArray();
    int framesPerRound = Arg("--round-frames", back ? 48 : 96);
    var perFrame = variants.Select(_ => new List<double>()).ToArray();
    for (int round = -1; round < repeat; round++)
    {
        for (int step = 0; step < variants.Length; step++)
        {
            int v = (round & 1) == 0 ? step : variants.Length - 1 - step;
            int calls = framesPerRound / variants[v].Batch;
            double started = FrameCostProbe.ThreadMilliseconds();
            for (int c = 0; c < calls; c++)
            {
                variants[v].Session.Run(runOptions, inputNames, bound[v].In, outputNames, bound[v].Out);
            }

            if (round >= 0)
            {
                perFrame[v].Add((FrameCostProbe.ThreadMilliseconds() - started) / (calls * variants[v].Batch));
            }
        }
    }

    for (int v = 0; v < variants.Length; v++)
    {
        var ratios = perFrame[v].Select((ms, r) => ms / perFrame[0][r]).Order().ToList();
        Console.WriteLine($"{variants[v].Name}: median {perFrame[v].Order().ElementAt(perFrame[v].Count / 2):0.000} CPU ms/frame, " +
            $"÷ original per round: median {ratios[ratios.Count / 2]:0.000} (range {ratios[0]:0.000}–{ratios[^1]:0.000}); rounds {string.Join(" ", perFrame[v].Select(ms => ms.ToString("0.000", CultureInfo.InvariantCulture)))}");
    }

    Console.WriteLine($"({DateTime.UtcNow:HH:mm:ss} UTC)");
    return 0;
}

if (args.Length > 1 && args[0] == "setup")
{
    // Fixed cost of a run: one frame through the Flow job vs through the sequential loop (open, session(s), first frame).
    var (input, detector, _) = CaseOf(args[1], 1);
    for (int pass = 0; pass < 4; pass++)
    {
        var seq = Sequential(input, detector, 1, 1);
        var watch = Stopwatch.StartNew();
        var one = FlowRun(input, detector, 1, Arg("--dop", 2));
        Console.WriteLine($"pass {pass}: flow 1 frame {watch.Elapsed.TotalMilliseconds:0.0} ms (sequential 1 frame {1000 / seq.Fps:0.0} ms)");
    }

    return 0;
}

var rows = new List<string[]>();
string[] cases = (StringArg("--cases") ?? "gen-front,vtest-front,vtest-back,vtest-hog").Split(',');
foreach (string name in cases)
{
    var (input, detector, limit) = CaseOf(name, hogFrames);
    Measure(input == clip ? "generated 640x360" : "vtest.avi 768x576", input, detector, limit);
}

Console.WriteLine();
Console.WriteLine("| input | detector | variant | frames | fps | × sequential | × best sequential | % of decode-only | latency p50 ms | latency p99 ms | CPU ms/frame | cores busy |");
Console.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var row in rows)
{
    Console.WriteLine("| " + string.Join(" | ", row) + " |");
}

return 0;

void Measure(string input, string path, DetectorKind detector, int? maxFrames)
{
    // Variants are interleaved (one run of each, repeated), so slow drifts in the machine's load hit all of them alike.
    // The baseline is the loop with OpenCV's and ONNX Runtime's settings as a user gets them, except IntraOp = 1
    // (Flow's per-session setting); the second sequential row gives the loop all cores (ORT) or one thread (OpenCV's HOG).
    bool hog = detector == DetectorKind.Hog;
    var variants = new Func<Run>[]
    {
        () => Measured(() => DecodeOnly(path, maxFrames)),
        () => Measured(() => Sequential(path, detector, maxFrames, 1)),
        () => Measured(() => hog ? WithOpenCvThreads(1, () => Sequential(path, detector, maxFrames, 1)) : Sequential(path, detector, maxFrames, Environment.ProcessorCount)),
        () => Measured(() => FlowRun(path, detector, maxFrames, 1)),
        () => Measured(() => FlowRun(path, detector, maxFrames, 2)),
        () => Measured(() => hog
            ? WithOpenCvThreads(1, () => FlowRun(path, detector, maxFrames, 2))
            : FlowRun(path, detector, maxFrames, 1, o => o.DecoderThreads = 2)),
    };
    if (!hog)
    {
        // The job's default for the ONNX detectors: replicas and decoding threads chosen from the measured first frames.
        variants = [.. variants, () => Measured(() => FlowRun(path, detector, maxFrames, null))];
        // The same default with OpenCV's decoder (VideoCapture.Read, BGR conversion of every whole frame), as before
        // session 9: the gain of decoding with FFmpeg directly and letterboxing from the YUV planes alone.
        variants = [.. variants, () => Measured(() => FlowRun(path, detector, maxFrames, null, o => o.Decoder = VideoDecoder.OpenCv))];
    }

    for (int w = 0; w < warmup; w++)
    {
        foreach (var variant in variants)
        {
            variant();
        }
    }

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
        $"{run.Fps / sequential.Fps:0.00}", $"{run.Fps / Math.Max(sequential.Fps, sequentialDefault.Fps):0.00}", $"{100 * run.Fps / decode.Fps:0}%", run.P50 is { } p50 ? $"{p50:0.0}" : "–", run.P99 is { } p99 ? $"{p99:0.0}" : "–",
        $"{run.CpuMsPerFrame:0.00}", $"{run.Cores:0.00}",
    ]);
    Row("decode-only", decode);
    Row(hog ? "sequential (OpenCV default threads)" : "sequential (1 session, IntraOp=1)", sequential);
    Row(hog ? "sequential (OpenCV 1 thread)" : $"sequential (1 session, IntraOp={Environment.ProcessorCount})", sequentialDefault);
    Row("flow dop 1", flow1);
    Row("flow dop 2", flow2);
    Row(hog ? "flow dop 2 (OpenCV 1 thread)" : "flow dop 1 (2 FFmpeg decoding threads)", medians[5]);
    if (!hog)
    {
        Row($"flow auto ({string.Join(", ", runs[6].Select(run => run.Choice).Distinct())})", medians[6]);
        Row($"flow auto, --decoder opencv ({string.Join(", ", runs[7].Select(run => run.Choice).Distinct())})", medians[7]);
    }

    Console.WriteLine($"{input} {detector}: decode {decode.Fps:0.0} fps, sequential {sequential.Fps:0.0} / {sequentialDefault.Fps:0.0}, flow dop1 {flow1.Fps:0.0}, dop2 {flow2.Fps:0.0} ({DateTime.UtcNow:HH:mm:ss})");
    // Each round's Flow runs against the loop run of the same round (neighbours in time, so a swing in the machine's speed
    // hits both): less sensitive to that swing than the ratio of medians in the table.
    Console.WriteLine($"  per round, × sequential: flow dop 1 {string.Join(" ", runs[3].Select((run, r) => $"{run.Fps / runs[1][r].Fps:0.00}"))}; " +
        $"flow dop 2 {string.Join(" ", runs[4].Select((run, r) => $"{run.Fps / runs[1][r].Fps:0.00}"))}; " +
        $"variant 5 {string.Join(" ", runs[5].Select((run, r) => $"{run.Fps / runs[1][r].Fps:0.00}"))}" +
        (hog ? string.Empty : $"; flow auto {string.Join(" ", runs[6].Select((run, r) => $"{run.Fps / runs[1][r].Fps:0.00}"))}, % of decode-only {string.Join(" ", runs[6].Select((run, r) => $"{100 * run.Fps / runs[0][r].Fps:0}"))}" +
            $"; flow auto --decoder opencv {string.Join(" ", runs[7].Select((run, r) => $"{run.Fps / runs[1][r].Fps:0.00}"))}"));
    // Every run in the order run (the spread behind each median): fps, cores busy, and for Flow the end-to-end p50/p99 ms.
    for (int v = 0; v < runs.Length; v++)
    {
        Console.WriteLine($"  variant {v}: " + string.Join(", ", runs[v].Select(run => $"{run.Fps:0} fps/{run.Cores:0.00} cores" + (run.P50 is { } p50 ? $"/{p50:0.0}-{run.P99:0.0} ms" : string.Empty) + (run.Choice is { } c && v >= 6 ? $" [{c}]" : string.Empty))));
    }

}

static Run Measured(Func<Run> variant)
{
    var (run, wall, cpuMs) = Timed(variant);
    return run with { CpuMsPerFrame = cpuMs / Math.Max(1, run.Frames), Cores = cpuMs / wall };
}

// Runs work after a full collection and returns its result, wall milliseconds and the process's CPU milliseconds.
static (T Result, double WallMs, double CpuMs) Timed<T>(Func<T> work)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    var process = System.Diagnostics.Process.GetCurrentProcess();
    process.Refresh();
    var cpu = process.TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    var result = work();
    double wall = watch.Elapsed.TotalMilliseconds;
    process.Refresh();
    return (result, wall, (process.TotalProcessorTime - cpu).TotalMilliseconds);
}

static Run WithOpenCvThreads(int threads, Func<Run> variant)
{
    int before = Cv2.GetNumThreads();
    Cv2.SetNumThreads(threads);
    try
    {
        return variant();
    }
    finally
    {
        Cv2.SetNumThreads(before);
    }
}

(string Input, DetectorKind Detector, int? MaxFrames) CaseOf(string name, int hogLimit) => name switch
{
    "gen-front" => (GeneratedClip(), DetectorKind.BlazeFaceFront, null),
    "vtest-front" => (vtest, DetectorKind.BlazeFaceFront, null),
    "vtest-back" => (vtest, DetectorKind.BlazeFaceBack, null),
    "vtest-hog" => (vtest, DetectorKind.Hog, hogLimit),
    _ => throw new ArgumentException($"unknown case '{name}' (gen-front, vtest-front, vtest-back, vtest-hog)"),
};

// The generated clip is written the first time a case needs it (the vtest.avi cases and modes do not).
string GeneratedClip()
{
    if (!clipWritten)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(clip)!);
        SyntheticFaceClip.Generate(clip, new SyntheticClipOptions { FrameCount = clipFrames });
        clipWritten = true;
    }

    return clip;
}

static Run DecodeOnly(string path, int? maxFrames, int? threads = null, bool grabOnly = false)
{
    var watch = Stopwatch.StartNew();
    using var capture = threads is { } n ? new VideoCapture(path, VideoCaptureAPIs.FFMPEG, [70, n]) : new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
    using var frame = new Mat();
    int frames = 0;
    while ((maxFrames is null || frames < maxFrames) && (grabOnly ? capture.Grab() : capture.Read(frame) && !frame.Empty()))
    {
        frames++;
    }

    return new Run(frames, frames / watch.Elapsed.TotalSeconds, null, null);
}

static Run Sequential(string path, DetectorKind detector, int? maxFrames, int intraOpThreads)
{
    var watch = Stopwatch.StartNew();
    // FFmpeg's default decoding threads, as a user gets them; FLOW_BENCH_SEQUENTIAL_DECODER_THREADS checks the loop with fewer.
    using var capture = int.TryParse(Environment.GetEnvironmentVariable("FLOW_BENCH_SEQUENTIAL_DECODER_THREADS"), out int decoderThreads)
        ? new VideoCapture(path, VideoCaptureAPIs.FFMPEG, [70, decoderThreads])
        : new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
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

    // The loop a user would write: one Mat decoded into again and again.
    using var image = new Mat();
    while (maxFrames is null || frames < maxFrames)
    {
        long started = Stopwatch.GetTimestamp();
        if (!capture.Read(image) || image.Empty())
        {
            break;
        }

        var frame = new Frame(frames, TimeSpan.Zero, image, path);
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

// dop null: the job's default (for the ONNX detectors on a file: chosen from the measured cost of the first frames).
static Run FlowRun(string path, DetectorKind detector, int? maxFrames, int? dop, Action<VideoDetectOptions>? configure = null)
{
    var watch = Stopwatch.StartNew();
    var options = new VideoDetectOptions { Input = path, Detector = detector, MaxFrames = maxFrames, View = LiveViewMode.ReportOnly };
    if (dop is { } replicas)
    {
        options.DegreeOfParallelism = replicas;
    }

    configure?.Invoke(options);
    var result = new VideoDetectJob(options).RunAsync(null, default).GetAwaiter().GetResult();
    var output = result.Pipeline["output"];
    var choice = result.Parallelism;
    return new Run(result.Frames.Count, result.Frames.Count / watch.Elapsed.TotalSeconds, output.EndToEndP50.TotalMilliseconds, output.EndToEndP99.TotalMilliseconds)
    {
        Choice = choice.Measured
            ? string.Create(CultureInfo.InvariantCulture, $"dop {choice.DegreeOfParallelism}+{choice.DecoderThreads} thr q{choice.PreprocessCapacity}, {choice.DecodeMillisecondsPerFrame:0.00}/{choice.DetectMillisecondsPerFrame:0.00} ms")
            : $"dop {choice.DegreeOfParallelism}+{choice.DecoderThreads} thr q{choice.PreprocessCapacity}",
    };
}

string? StringArg(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int Arg(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

internal sealed record Run(int Frames, double Fps, double? P50, double? P99)
{
    public double CpuMsPerFrame { get; init; }

    public double Cores { get; init; }

    public string? Choice { get; init; }
}
