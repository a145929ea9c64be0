using System.Diagnostics;
using System.Globalization;
using Flow.Neural.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Flow.Neural.Benchmarks;

/// <summary>
/// `report`: measures every ratio of docs/NEURAL.md in one process run, so the ratios compare runs
/// made seconds apart on the same (shared, noisy) machine. Each figure is the median of several samples.
/// </summary>
internal static class Report
{
    private const int Samples = 5;

    public static void Run(TextWriter o, string[] sections)
    {
        bool All(string name) => sections.Length == 0 || sections.Contains(name);
        o.WriteLine($"# Flow.Neural ratio report — {Environment.ProcessorCount} cores, Vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, .NET {Environment.Version}");
        double peak1 = 0, peak2 = 0;
        if (All("fma") || All("gemm"))
        {
            peak1 = Rate(() => Workloads.FmaLoop(20_000_000, new float[1]));
            // Two ways to run the loop on both cores: Parallel.For (a thread-pool worker joins the caller) and the worker
            // team the kernels fork on. The pool's way has measured a few percent lower (220–223 against 228–234 GFLOP/s
            // in rotation on the team, NEURAL.md Run R-gemm), so the peak is the faster of the two.
            double onPool = Rate(() => Workloads.FmaLoopParallel(20_000_000, 2));
            double onTeam = Rate(() =>
            {
                long flops = 0;
                if (!Internal.Threading.WorkerTeam.Shared.TryRun(2, _ => Interlocked.Add(ref flops, Workloads.FmaLoop(20_000_000, new float[1]))))
                {
                    throw new InvalidOperationException("the worker team is busy");
                }

                return flops;
            });
            peak2 = Math.Max(onPool, onTeam);
            Line(o, $"FMA peak: 1 core {G(peak1)} GFLOP/s, 2 cores {G(peak2)} GFLOP/s (the faster of Parallel.For {G(onPool)} and the worker team {G(onTeam)})");
        }

        if (All("gemm"))
        {
            foreach (int n in new[] { 512, 1024, 2048 })
            {
                var g = new Workloads.GemmCase(n);
                double one = Rate(() => { g.Run(new ComputeOptions()); return (long)g.Flops; });
                double two = Rate(() => { g.Run(new ComputeOptions { DegreeOfParallelism = 2 }); return (long)g.Flops; });
                Line(o, $"GEMM {n}: 1 core {G(one)} GFLOP/s ({one / peak1:P0} of 1-core peak); 2 cores {G(two)} GFLOP/s ({two / peak2:P0} of 2-core peak); neuron-parallel 2 vs 1 = {two / one:F2}x");
            }

            // The 2-core GEMMs again, each in rotation with the 2-core FMA loop (a short sample of each per round): a
            // round's ratio compares moments a tenth of a second apart, so a host that takes the second vCPU away for a
            // while slows both sides of it, and the share of rounds at ≥ 70 % says how reliably the target is met.
            long fmaTwoCoresFlops = 2 * Workloads.FmaLoop(2_000_000, new float[1]);
            var twoCores = new ComputeOptions { DegreeOfParallelism = 2 };
            foreach (int n in new[] { 512, 1024, 2048 })
            {
                var g = new Workloads.GemmCase(n);
                var r = Rotate([FmaTwoCores, () => g.Run(twoCores)], rounds: 21, sampleSeconds: 0.05);
                double fma = fmaTwoCoresFlops / Median(r[0]) / 1e9, gemm = g.Flops / Median(r[1]) / 1e9;
                int met = r[0].Zip(r[1], (tf, tg) => g.Flops / tg / (fmaTwoCoresFlops / tf)).Count(q => q >= 0.7);
                Line(o, $"GEMM {n}, 2 cores, in rotation with the 2-core FMA loop: {G(gemm)} vs {G(fma)} GFLOP/s = {gemm / fma:P0}; per round GEMM ÷ loop {Paired(r, 0, 1, workRatio: g.Flops / fmaTwoCoresFlops)}; {met} of {r[0].Count} rounds ≥ 70 %");
            }

            var s = new Workloads.GemmCase(512);
            double simd = Rate(() => { s.Run(new ComputeOptions()); return (long)s.Flops; });
            double scalar = Rate(() => { s.Run(new ComputeOptions { UseSimd = false }); return (long)s.Flops; }, samples: 3);
            Line(o, $"GEMM 512 SIMD vs scalar reference (1 core): {G(simd)} vs {G(scalar)} GFLOP/s = {simd / scalar:F1}x");
        }

        if (All("dot"))
        {
            float[] a = Workloads.Random(1 << 20, 1), b = Workloads.Random(1 << 20, 2);
            double simd = Rate(() => { System.Numerics.Tensors.TensorPrimitives.Dot(a, b); return 2L * a.Length; });
            double scalar = Rate(() => { Workloads.ScalarDot(a, b); return 2L * a.Length; });
            Line(o, $"Dot 1M floats, TensorPrimitives vs scalar loop: {G(simd)} vs {G(scalar)} GFLOP/s = {simd / scalar:F1}x");
        }

        if (All("neuron"))
        {
            // Both core counts and the FMA loop on one and two cores in rotation, a short sample each, so
            // every ratio has the hardware's own 2-core scaling of the same moments beside it.
            Sequential dense = new(Layers.Dense(1024, 1024, seed: 1));
            Tensor x = Workloads.RandomTensor(1, 64, 1024);
            Sequential conv = new(Layers.Conv2D(32, 64, 3, padding: 1, seed: 1));
            Tensor xc = Workloads.RandomTensor(2, 16, 32, 28, 28);
            var r = Rotate(
                [
                    FmaOneCore, FmaTwoCores,
                    () => Forward(dense, x, 1), () => Forward(dense, x, 2),
                    () => Forward(conv, xc, 1), () => Forward(conv, xc, 2),
                ],
                rounds: 41,
                sampleSeconds: 0.05);
            Line(o, $"Dense 1024→1024, batch 64, forward: 1 core {Ms(Median(r[2]))}, 2 cores {Ms(Median(r[3]))} = {Median(r[2]) / Median(r[3]):F2}x; {Paired(r, 2, 3)}; FMA loop 2 vs 1 core in the same rounds {Paired(r, 0, 1, workRatio: 2)}");
            Line(o, $"Conv2D 32→64 3×3 on 28×28, batch 16, forward: 1 core {Ms(Median(r[4]))}, 2 cores {Ms(Median(r[5]))} = {Median(r[4]) / Median(r[5]):F2}x; {Paired(r, 4, 5)}");
        }

        if (sections.Contains("chunkrows"))
        {
            int[] rowsOptions = sections.Contains("small") ? [8, 4, 2, 1] : [0, 8, 16, 32, 64];
            foreach ((string name, Func<Sequential> create) in new (string, Func<Sequential>)[] { ("CNN", () => FashionMnist.CreateCnn()), ("MLP", () => FashionMnist.CreateMlp()) }.Take(sections.Contains("small") ? 1 : 2))
            {
                foreach (int batch in sections.Contains("small") ? (int[])[64] : [64, 128, 256])
                {
                    Tensor x = Workloads.RandomTensor(3, batch, 1, 28, 28);
                    Tensor y = Workloads.OneHot(batch, 10, 4);
                    var trainers = rowsOptions.Select(r => new SingleWorkerTrainer(create(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.01f))) { ChunkRows = r }).ToArray();
                    var r = Rotate([.. trainers.Select(t => (Action)(() => t.TrainStep(x, y)))], rounds: 21, sampleSeconds: name == "CNN" ? batch / 2560.0 : 0.02);
                    Line(o, $"{name} batch {batch} single worker: " + string.Join("; ", rowsOptions.Select((rows, i) => $"rows {rows}: {Ms(Median(r[i]))} ({Median(r[0]) / Median(r[i]):F3}x, {Paired(r, 0, i)})")));
                }
            }
        }

        if (All("data"))
        {
            // Every one-worker way of running the step is measured in the same rotation, and the 2-worker
            // ratio is taken against the fastest of them (by median): the single-worker trainer as it runs
            // (chunked by its rule), the same trainer on the whole batch at once, and the same trainer in the
            // 2-worker trainer's chunks (its chunk size). The 2-worker trainer with every chunk forced onto worker 0
            // is no longer one of them: its update phase, which now computes the dense weight gradients, runs on both.
            SingleWorkerTrainer NewSingle(int? chunkRows) => new(FashionMnist.CreateCnn(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.01f))) { ChunkRows = chunkRows };
            var single = NewSingle(null);
            var whole = NewSingle(0);
            var parallel = new DataParallelTrainer(FashionMnist.CreateCnn(), Losses.SoftmaxCrossEntropy(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.01f)), 2);
            foreach (int batch in (int[])[64, 128, 256])
            {
                Tensor x = Workloads.RandomTensor(3, batch, 1, 28, 28);
                Tensor y = Workloads.OneHot(batch, 10, 4);
                parallel.TrainStep(x, y);
                int parallelChunks = parallel.LastChunkWorkers.Length;
                var chunkedAsParallel = NewSingle(batch / parallelChunks);
                // The 2-worker steps of the rotation itself (back to back inside each sample, as a training loop runs them)
                // are broken down too: the separate breakdown below alternates trainers step by step.
                var inRotation = new RotationSteps(trace: sections.Contains("trace"));
                var singleClock = new FirstStepClock(inRotation);
                var chunkedClock = new FirstStepClock(inRotation);
                var parallelClock = new FirstStepClock(inRotation);
                var r = Rotate([FmaOneCore, FmaTwoCores, () => singleClock.Step(() => single.TrainStep(x, y)), () => whole.TrainStep(x, y), () => chunkedClock.Step(() => chunkedAsParallel.TrainStep(x, y)), () => parallelClock.Step(() => inRotation.Step(parallel, x, y))],
                    rounds: 41,
                    sampleSeconds: batch / 2560.0,
                    warmUpSeconds: 0.3,
                    afterWarmUp: inRotation.Clear,
                    beforeRound: inRotation.StartRound);
                string[] names = ["single-worker trainer", "single-worker trainer on the whole batch", $"single-worker trainer in the 2-worker trainer's {parallelChunks} chunks ({batch / parallelChunks} rows)"];
                int best = Enumerable.Range(2, 3).MinBy(i => Median(r[i]));
                double t2 = Median(r[5]);
                Line(o, $"Data-parallel CNN training, batch {batch}: 2 workers {batch / t2:F0} samples/s = {Median(r[best]) / t2:F2}x against the best 1-worker variant ({names[best - 2]}, {batch / Median(r[best]):F0} samples/s); {Paired(r, best, 5)}; FMA loop 2 vs 1 core in the same rounds {Paired(r, 0, 1, workRatio: 2)}, 1 core {Median(r[0]) * 1000:F3} ms per call");
                // Not the headline: the same ratio over only the rounds in which the FMA loop scaled at least 1.9x (the host gave
                // both vCPUs at that moment), to tell the code's loss from the host's.
                var twoCoreRounds = Enumerable.Range(0, r[0].Count).Where(i => 2 * r[0][i] / r[1][i] >= 1.9).ToList();
                string onTwoCores = twoCoreRounds.Count == 0 ? "none" : string.Create(CultureInfo.InvariantCulture, $"{Median(twoCoreRounds.Select(i => r[best][i])) / Median(twoCoreRounds.Select(i => r[5][i])):F2}x");
                Line(o, $"  only the {twoCoreRounds.Count} of {r[0].Count} rounds where the FMA loop scaled >= 1.9x (not the headline): 2 workers against the same best 1-worker variant {onTwoCores}");
                Line(o, $"  {inRotation.SlowCoreRounds(r, best, 5)}");
                Line(o, $"  2-worker steps in the rotation (batch {batch}): {inRotation.Describe(Median(r[best]))}");
                if (inRotation.Trace)
                {
                    string path = Path.Combine(Path.GetTempPath(), $"dptrace-{DateTime.UtcNow:HHmmss}-b{batch}.txt");
                    inRotation.EndRounds();
                    inRotation.WriteTrace(path, r, best);
                    Line(o, $"  per-step trace of the 2-worker steps: {path}; each sample's first step against its later steps, median ms: 1-worker trainer (rule) {singleClock}; 1-worker in the same chunks {chunkedClock}; 2 workers {parallelClock}");
                }

                Line(o, "  1-worker variants: " + string.Join("; ", Enumerable.Range(2, 3).Select(i => $"{names[i - 2]}{(i == 2 ? $" ({single.LastChunks} chunks)" : string.Empty)} {batch / Median(r[i]):F0} samples/s, 2 workers against it {Median(r[i]) / t2:F2}x")));
            }

            // Where a 2-worker step's time goes, against the same code with one replica at the shard's batch
            // (64: each worker's share of the batch) and at the whole batch; one trainer per batch
            // size, since a change of batch shape reallocates every layer's buffers.
            Tensor x128 = Workloads.RandomTensor(3, 128, 1, 28, 28);
            Tensor y128 = Workloads.OneHot(128, 10, 4);
            Tensor x64 = Workloads.RandomTensor(3, 64, 1, 28, 28);
            Tensor y64 = Workloads.OneHot(64, 10, 4);
            DataParallelTrainer NewTrainer(int replicas) => new(FashionMnist.CreateCnn(), Losses.SoftmaxCrossEntropy(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.01f)), replicas);
            var one64 = NewTrainer(1);
            var one128 = NewTrainer(1);
            var two = parallel;
            var steps = new Dictionary<string, List<double>>();
            void Add(string key, double ms) => (steps.TryGetValue(key, out var l) ? l : steps[key] = []).Add(ms);
            double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
            for (int i = 0; i < 3; i++)
            {
                one64.TrainStep(x64, y64);
                one128.TrainStep(x128, y128);
                two.TrainStep(x128, y128);
            }

            long allocated = 0;
            int collections = GC.CollectionCount(0);
            for (int i = 0; i < 41; i++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                two.TrainStep(x128, y128);
                allocated += GC.GetTotalAllocatedBytes(precise: true) - before;
            }

            collections = GC.CollectionCount(0) - collections;

            for (int i = 0; i < 41; i++)
            {
                one64.TrainStep(x64, y64);
                Add("1 replica at batch 64: shard", Ms(one64.LastStepTimes.ComputeWall));
                one128.TrainStep(x128, y128);
                Add("1 replica at batch 128: shard", Ms(one128.LastStepTimes.ComputeWall));
                Add("1 replica at batch 128: update", Ms(one128.LastStepTimes.UpdateWall));
                two.TrainStep(x128, y128);
                var t = two.LastStepTimes;
                Add("2 replicas at batch 128: chunk phase", Ms(t.ComputeWall));
                Add("worker 0 chunks", Ms(t.Compute[0]));
                Add("worker 1 chunks", Ms(t.Compute[1]));
                Add("chunks run by worker 1", t.Chunks[1]);
                Add("slower worker / faster", (double)Math.Max(t.Compute[0], t.Compute[1]) / Math.Min(t.Compute[0], t.Compute[1]));
                Add("join wait after the slower", Ms(t.ComputeWall - Math.Max(t.Compute[0], t.Compute[1])));
                Add("update phase", Ms(t.UpdateWall));
                Add("worker 0 update", Ms(t.Update[0]));
                Add("worker 1 update", Ms(t.Update[1]));
            }

            string Spread(List<double> v)
            {
                var sorted = v.OrderBy(d => d).ToList();
                return string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Count / 2]:F3} ({sorted[(int)(0.1 * (sorted.Count - 1))]:F3}–{sorted[(int)Math.Round(0.9 * (sorted.Count - 1))]:F3})");
            }

            Line(o, "Data-parallel step breakdown, ms, median (p10–p90) of 41 steps, the three trainers in rotation: " + string.Join("; ", steps.Select(kv => $"{kv.Key} {Spread(kv.Value)}")));
            Line(o, $"Data-parallel 2-worker step at batch 128: {allocated / 41} bytes allocated per step, {collections} gen-0 collections in 41 steps");
        }

        if (All("pipeline"))
        {
            // The even model at batch 256 (micro-batches of 16 rows at M = 16) is the bubble measurement;
            // the older forward-balanced MLP at batch 128 is kept to show what stage imbalance does.
            // Each schedule: deferred weight gradients (the default) and GPipe's own (weight gradients inside each backward).
            // Every configuration takes a few steps in turn, round after round, so the host's slow and fast
            // phases fall on all of them alike; each figure is the median over all rounds' steps, and the
            // per-round medians show the spread.
            const int Rounds = 8, StepsPerRound = 4;
            var cases = new List<PipelineCase>();
            foreach ((string name, Func<Sequential> create, int batch, bool[] schedulers, bool defer) in new (string, Func<Sequential>, int, bool[], bool)[]
            {
                ("even 8-Dense MLP", Workloads.EvenPipelineMlp, 256, [true, false], true),
                ("even 8-Dense MLP, GPipe schedule", Workloads.EvenPipelineMlp, 256, [true, false], false),
                ("forward-balanced 5-Dense MLP", Workloads.BalancedMlp, 128, [true], true),
            })
            {
                Tensor x = Workloads.RandomTensor(5, batch, 1, 28, 28);
                Tensor y = Workloads.OneHot(batch, 10, 6);
                var single = new SingleWorkerTrainer(create(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.01f)));
                var baseline = new PipelineCase(name, batch, null, 0, false, () => single.TrainStep(x, y), null);
                cases.Add(baseline);
                foreach (int m in new[] { 1, 4, 8, 16 })
                {
                    foreach (bool flowPipeline in schedulers)
                    {
                        var p = new PipelineParallelTrainer(create(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.01f)), 2, m) { DeferWeightGradients = defer };
                        p.Scheduler = flowPipeline ? new Internal.Pipeline.FlowPipelineScheduler() : new Internal.Pipeline.GPipeChannelScheduler();
                        cases.Add(new PipelineCase(name, batch, baseline, m, flowPipeline, () => p.TrainStep(x, y), p));
                    }
                }
            }

            foreach (PipelineCase c in cases)
            {
                c.Step();
                c.Step();
            }

            for (int round = 0; round < Rounds; round++)
            {
                foreach (PipelineCase c in cases)
                {
                    c.Rounds.Add([]);
                    for (int i = 0; i < StepsPerRound; i++)
                    {
                        c.Rounds[^1].Add(c.Step());
                    }
                }
            }

            foreach (PipelineCase c in cases)
            {
                double t = Median(c.Rounds.SelectMany(r => r.Select(step => step.Seconds)));
                if (c.Baseline is null)
                {
                    Line(o, $"Pipeline baseline ({c.Name}, batch {c.Batch}, 1 worker): {c.Batch / t:F0} samples/s");
                    continue;
                }

                double t1 = Median(c.Baseline.Rounds.SelectMany(r => r.Select(step => step.Seconds)));
                var all = c.Rounds.SelectMany(r => r.Select(step => step.Statistics!)).OrderBy(st => st.BubbleFraction).ToList();
                PipelineStepStatistics median = all[all.Count / 2];
                double theory = median.TheoreticalBubbleFraction;
                var perRound = c.Rounds.Select(r => (Median(r.Select(step => step.Statistics!.BubbleFraction)) - theory) * 100);
                Line(o, $"Pipeline {c.Name} K=2 M={c.MicroBatches} on {(c.FlowPipeline ? "Flow.Pipeline stages" : "Tasks+Channels")}: {c.Batch / t:F0} samples/s ({t1 / t:F2}x of 1 worker); bubble measured {median.BubbleFraction:P1} vs (K-1)/(M+K-1) = {theory:P1} ({(median.BubbleFraction - theory) * 100:+0.0;-0.0} points; median of {all.Count} steps in {Rounds} rounds; per round {string.Join(" ", perRound.Select(d => d.ToString("+0.0;-0.0", CultureInfo.InvariantCulture)))}); stage idle {string.Join(" / ", median.StageIdleFractions.Select(f => f.ToString("P1", CultureInfo.InvariantCulture)))}, busy {string.Join(" / ", median.StageBusy.Select(b => b.TotalMilliseconds.ToString("F2", CultureInfo.InvariantCulture)))} ms, imbalance {median.Imbalance:P1}, wall {median.WallTime.TotalMilliseconds:F2} ms; stages {string.Join(" | ", c.Trainer!.StageLayers)}");
            }
        }

        if (sections.Contains("pipetrace"))
        {
            Tensor x = Workloads.RandomTensor(5, 256, 1, 28, 28);
            Tensor y = Workloads.OneHot(256, 10, 6);

            // Each stage's work timed on one thread (all stages in turn), so a slower core cannot make
            // one stage look dearer: the imbalance of the split itself.
            foreach (int m in new[] { 1, 16 })
            {
                var p = new PipelineParallelTrainer(Workloads.EvenPipelineMlp(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.01f)), 2, m);
                p.Scheduler = new OneThreadScheduler();
                var steps = new List<PipelineStepStatistics>();
                for (int i = 0; i < 25; i++)
                {
                    p.TrainStep(x, y);
                    if (i >= 5)
                    {
                        steps.Add(p.LastStatistics!);
                    }
                }

                string StageBusyMs(int stage) => Median(steps.Select(st => st.StageBusy[stage].TotalMilliseconds)).ToString("F2", CultureInfo.InvariantCulture);
                o.WriteLine($"one thread M={m}: stage busy (median of {steps.Count} steps) {StageBusyMs(0)} / {StageBusyMs(1)} ms");
            }
            foreach (bool flowPipeline in new[] { true, false })
            {
                foreach (int m in new[] { 1, 4, 8, 16 })
                {
                    var p = new PipelineParallelTrainer(Workloads.EvenPipelineMlp(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.01f)), 2, m);
                    p.Scheduler = flowPipeline ? new Internal.Pipeline.FlowPipelineScheduler() : new Internal.Pipeline.GPipeChannelScheduler();
                    for (int i = 0; i < 20; i++)
                    {
                        p.TrainStep(x, y);
                    }

                    // Three steps in a row, each traced on its own: one step alone may be one of the host's slow moments.
                    for (int traced = 0; traced < 3; traced++)
                    {
                        foreach (var st in p.StagesForTrace)
                        {
                            st.Trace = [];
                        }

                        // A garbage collection stops every stage at once: its pause shows as idle in all of them.
                        TimeSpan pause0 = GC.GetTotalPauseDuration();
                        long allocated0 = GC.GetTotalAllocatedBytes(precise: true);
                        int collections0 = GC.CollectionCount(0);
                        p.TrainStep(x, y);
                        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated0;
                        o.WriteLine($"trace {(flowPipeline ? "Flow.Pipeline" : "Tasks+Channels")} M={m} wall {p.LastStatistics!.WallTime.TotalMilliseconds:F2} ms bubble {p.LastStatistics.BubbleFraction:P1}; step allocated {allocated / 1024.0:F0} KiB, {GC.CollectionCount(0) - collections0} collections, GC pause {(GC.GetTotalPauseDuration() - pause0).TotalMilliseconds:F2} ms");
                        foreach (var st in p.StagesForTrace)
                        {
                            var events = st.Trace!.OrderBy(e => e.Start).ToList();
                            double At(long t) => Stopwatch.GetElapsedTime(p.LastRunStart, t).TotalMilliseconds;
                            var byKind = events.GroupBy(e => e.Kind).Select(g => $"{g.Key} {g.Sum(e => Stopwatch.GetElapsedTime(e.Start, e.End).TotalMilliseconds):F2}");
                            var gaps = new List<string>();
                            double previous = 0;
                            string previousName = "start";
                            foreach (var e in events)
                            {
                                if (At(e.Start) - previous > 0.05)
                                {
                                    gaps.Add($"{previousName}→{e.Kind}{e.M} {At(e.Start) - previous:F2}");
                                }

                                previous = Math.Max(previous, At(e.End));
                                previousName = $"{e.Kind}{e.M}";
                            }

                            gaps.Add($"end {p.LastStatistics.WallTime.TotalMilliseconds - previous:F2}");
                            o.WriteLine($" stage {st.Index}: busy ms {string.Join(", ", byKind)}; idle gaps ms: {string.Join(", ", gaps)}");
                            o.WriteLine("   " + string.Join(" ", events.Select(e => $"{e.Kind}{e.M}[{At(e.Start):F2}-{At(e.End):F2}]")));
                        }
                    }
                }
            }
        }

        if (All("profile"))
        {
            // Each layer alone, then the groups an inference pass runs as one (convolution + ReLU + pool).
            Sequential cnn = FashionMnist.CreateCnn();
            foreach (int batch in new[] { 64, 1 })
            {
                Tensor x = Workloads.RandomTensor(8, batch, 1, 28, 28);
                var states = cnn.CreateStates(0, cnn.Layers.Count);
                var context = new Internal.Layers.LayerContext(cnn.Options, false);
                Tensor current = x;
                for (int i = 0; i < cnn.Layers.Count; i++)
                {
                    Tensor input = current;
                    int index = i;
                    Internal.Layers.LayerState[] own = [states[index]];
                    double t = Time(() => cnn.ForwardRange(input, own, index, index + 1, context), samples: 3);
                    current = cnn.ForwardRange(input, own, index, index + 1, context);
                    Line(o, $"profile CNN batch {batch} forward, layer {i} {cnn.Layers[i].Description}: {Ms(t)}");
                }

                current = x;
                for (int i = 0; i < cnn.Layers.Count;)
                {
                    int end = cnn.Layers[i] is Internal.Layers.Conv2DLayer && i + 2 < cnn.Layers.Count && cnn.Layers[i + 2] is Internal.Layers.MaxPool2DLayer ? i + 3 : i + 1;
                    Tensor input = current;
                    int first = i;
                    Internal.Layers.LayerState[] own = states[first..end];
                    double t = Time(() => cnn.ForwardRange(input, own, first, end, context), samples: 3);
                    current = cnn.ForwardRange(input, own, first, end, context);
                    Line(o, $"profile CNN batch {batch} inference, layers {first}-{end - 1} {string.Join(" + ", cnn.Layers.Skip(first).Take(end - first).Select(l => l.Description))}: {Ms(t)}");
                    i = end;
                }
            }
        }

        if (All("conv"))
        {
            // The Fashion CNN's second convolution (16→32, 3×3, pad 1 on 14×14), batch 64, split into its parts.
            var g = new Internal.Kernels.ConvGeometry(16, 14, 14, 3, 3, 1, 1, 1, 1);
            int plane = g.OutH * g.OutW, colSize = g.ColRows * plane, sample = 16 * 14 * 14;
            float[] x = Workloads.Random(64 * sample, 1), col = new float[64 * colSize], w = Workloads.Random(32 * g.ColRows, 2), y = new float[64 * 32 * plane];
            var single = new ComputeOptions();
            double im2col = Time(() => { for (int n = 0; n < 64; n++) { Internal.Kernels.ConvKernels.Im2Col(x, n * sample, g, col, n * colSize, plane); } });
            double gemm = Time(() =>
            {
                for (int n = 0; n < 64; n++)
                {
                    Internal.Kernels.Gemm.Multiply(new Internal.Kernels.MatrixRef(w, 0, g.ColRows, false), new Internal.Kernels.MatrixRef(col, n * colSize, plane, false), y, n * 32 * plane, plane, 32, plane, g.ColRows, false, Internal.Kernels.GemmPartition.Rows, single);
                }
            });
            double flops = 2.0 * 64 * 32 * plane * g.ColRows;
            Line(o, $"conv 16→32 3×3 14×14 batch 64: im2col {Ms(im2col)}, per-sample GEMMs {Ms(gemm)} ({flops / gemm / 1e9:F1} GFLOP/s)");
            var plan = new Internal.Kernels.WinogradConvolution.Plan(g, 32);
            var u = default(Internal.Kernels.WinogradConvolution.AlignedBuffer);
            Internal.Kernels.WinogradConvolution.TransformWeights(w, plan, ref u);
            float[] bias = new float[32];
            var work = new Internal.Kernels.WinogradConvolution.Workspace();
            double wino = Time(() => Internal.Kernels.WinogradConvolution.Run(x, u, bias, plan, y, 0, 64 * plan.Tiles, true, work));
            Line(o, $"conv 16→32 3×3 14×14 batch 64: Winograd F(2×2,3×3) {Ms(wino)} ({flops / wino / 1e9:F1} direct-equivalent GFLOP/s)");
        }

        if (All("shapes"))
        {
            foreach ((int m, int n, int k) in new[] { (32, 196, 144), (32, 192, 144), (32, 256, 144), (32, 784, 144), (32, 12544, 144), (128, 784, 144), (32, 196, 1024) })
            {
                float[] a = Workloads.Random(m * k, 1), b = Workloads.Random(k * n, 2), c = new float[m * n];
                var one = new ComputeOptions();
                double t = Time(() => Internal.Kernels.Gemm.Multiply(new Internal.Kernels.MatrixRef(a, 0, k, false), new Internal.Kernels.MatrixRef(b, 0, n, false), c, 0, n, m, n, k, false, Internal.Kernels.GemmPartition.Rows, one));
                Line(o, $"GEMM m={m} n={n} k={k}: {2.0 * m * n * k / t / 1e9:F1} GFLOP/s ({t * 1e6:F1} us)");
            }
        }

        if (All("ort"))
        {
            Sequential cnn = FashionMnist.CreateCnn();
            byte[] onnx = OnnxExporter.ToBytes(cnn, [1, 28, 28]);
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
            using var session = new InferenceSession(onnx, options);
            foreach (int batch in new[] { 1, 64 })
            {
                Tensor x = Workloads.RandomTensor(7, batch, 1, 28, 28);
                var input = new DenseTensor<float>(x.Data, [batch, 1, 28, 28]);
                var inputs = new[] { NamedOnnxValue.CreateFromTensor("input", input) };
                double ours = Time(() => Forward(cnn, x, 1));
                double ort = Time(() => { using var r = session.Run(inputs); });
                Line(o, $"Fashion CNN inference batch {batch}, 1 thread: Flow.Neural {Ms(ours)}, ONNX Runtime {Ms(ort)}; Flow/ORT speed = {ort / ours:F2}x");
            }
        }
    }

    private static void FmaOneCore() => Workloads.FmaLoop(2_000_000, new float[1]);

    private static void FmaTwoCores()
    {
        if (!Internal.Threading.WorkerTeam.Shared.TryRun(2, _ => Workloads.FmaLoop(2_000_000, new float[1])))
        {
            throw new InvalidOperationException("the worker team is busy");
        }
    }

    /// <summary>
    /// Times the variants in rotation (all of them once per round, one short sample each), so each sees
    /// the same moments of the host; a shared VM's second vCPU comes and goes. Each variant first runs twice, then
    /// for <paramref name="warmUpSeconds"/> (so the timed rounds run tier-1 code, not code the runtime is still
    /// recompiling on a background thread, which takes a core from the 2-core variants); then <paramref name="afterWarmUp"/>
    /// runs. Returns seconds per call, [variant][round].
    /// </summary>
    private static List<double>[] Rotate(Action[] variants, int rounds, double sampleSeconds, double warmUpSeconds = 0, Action? afterWarmUp = null, Action<int>? beforeRound = null)
    {
        var times = variants.Select(_ => new List<double>()).ToArray();
        foreach (Action v in variants)
        {
            v();
            v();
            if (warmUpSeconds > 0)
            {
                Sample(v, warmUpSeconds);
            }
        }

        afterWarmUp?.Invoke();

        for (int round = 0; round < rounds; round++)
        {
            beforeRound?.Invoke(round);
            for (int v = 0; v < variants.Length; v++)
            {
                times[v].Add(Sample(variants[v], sampleSeconds));
            }
        }

        return times;
    }

    /// <summary>The median of the per-round ratios slow/fast (times <paramref name="workRatio"/>, the fast variant's work over the slow one's) and their 10th–90th percentile.</summary>
    private static string Paired(List<double>[] times, int slow, int fast, double workRatio = 1)
    {
        var ratios = times[slow].Zip(times[fast], (a, b) => workRatio * a / b).ToList();
        ratios.Sort();
        double At(double q) => ratios[(int)Math.Round(q * (ratios.Count - 1))];
        return string.Create(CultureInfo.InvariantCulture, $"paired {At(0.5):F2}x (p10–p90 {At(0.1):F2}–{At(0.9):F2}, {ratios.Count} rounds)");
    }

    /// <summary>The middle value (the upper one of an even count), from a sorted copy.</summary>
    private static double Median(IEnumerable<double> values)
    {
        List<double> sorted = [.. values];
        sorted.Sort();
        return sorted[sorted.Count / 2];
    }

    private static void Forward(Sequential model, Tensor x, int cores)
    {
        model.Options.DegreeOfParallelism = cores;
        model.Forward(x);
    }

    /// <summary>Median seconds per call.</summary>
    private static double Time(Action action, int samples = Samples)
    {
        action();
        action();
        var times = new List<double>();
        for (int s = 0; s < samples; s++)
        {
            times.Add(Sample(action));
        }

        return Median(times);
    }

    /// <summary>Seconds per call, averaged over as many calls as fit in <paramref name="seconds"/> (at least one).</summary>
    private static double Sample(Action action, double seconds = 0.2)
    {
        int reps = 0;
        var clock = Stopwatch.StartNew();
        do
        {
            action();
            reps++;
        }
        while (clock.Elapsed.TotalSeconds < seconds);
        return clock.Elapsed.TotalSeconds / reps;
    }

    /// <summary>Median GFLOP/s of an action that returns the FLOPs it did.</summary>
    private static double Rate(Func<long> action, int samples = Samples)
    {
        long flops = action();
        double seconds = Time(() => action(), samples);
        return flops / seconds / 1e9;
    }

    private static string G(double gflops) => gflops.ToString("F1", CultureInfo.InvariantCulture);

    private static string Ms(double seconds) => (seconds * 1000).ToString("F3", CultureInfo.InvariantCulture) + " ms";

    private static void Line(TextWriter o, string text)
    {
        o.WriteLine("- " + text);
        o.Flush();
    }

    /// <summary>One 2-worker step of the trace: Stopwatch timestamps (worker 0 / the last worker's chunk start and end, the chunk join, the update
    /// fork, each worker's update start and end, the update join, the step's end) and spans (each worker's dW GEMMs and copies to the other replicas), in ticks.</summary>
    private sealed record TracedStep(int Round, long Start, long[] Stamps, int Chunks0, int Chunks1, int Collections, long[] Spans, int[] Processors);

    /// <summary>Times a rotation variant's steps, the first step of each sample (each round) apart from the later ones.</summary>
    private sealed class FirstStepClock(RotationSteps rounds)
    {
        private readonly List<double> _first = [], _later = [];
        private int _round = -1;

        internal void Step(Action step)
        {
            long start = Stopwatch.GetTimestamp();
            step();
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (rounds.Round < 0)
            {
                return;
            }

            (rounds.Round != _round ? _first : _later).Add(ms);
            _round = rounds.Round;
        }

        public override string ToString() => _first.Count == 0 || _later.Count == 0 ? "none" : string.Create(CultureInfo.InvariantCulture, $"{Median(_first):F3} / {Median(_later):F3}");
    }

    /// <summary>
    /// Where the time of the data-parallel trainer's steps inside the rotation went, step by step (after the warm-up):
    /// each phase's wall time, what the step spent outside the phases, and each worker's busy time.
    /// </summary>
    private sealed class RotationSteps(bool trace)
    {
        private readonly List<double> _step = [], _chunkPhase = [], _updatePhase = [], _outside = [], _busySum = [], _tailIdle = [], _updateIdle = [], _chunks1 = [];
        private readonly List<TracedStep> _trace = new(capacity: 4096);
        private readonly List<(int Round, double Slower)> _chunkTimeRatios = [];
        private int _round = -1;

        /// <summary>Gets whether every step is recorded for <see cref="WriteTrace"/>.</summary>
        internal bool Trace => trace;

        /// <summary>Per round (trace only): the main thread's and the helper's run-queue wait and time slices over the round's 2-worker sample
        /// (from the Linux schedstat of each thread), to tell a worker that waited behind another task of this machine from a slow core.</summary>
        private readonly Dictionary<int, long[]> _schedule = [];
        private long[]? _scheduleAtSample;
        private int _scheduleRound = -1;

        internal void StartRound(int round)
        {
            CloseScheduleSample();
            _round = round;
        }

        /// <summary>Ends the last round's schedule figures (trace only).</summary>
        internal void EndRounds() => CloseScheduleSample();

        private void CloseScheduleSample()
        {
            if (_scheduleAtSample is { } before && ScheduleNow() is { } after)
            {
                _schedule[_scheduleRound] = [.. after.Zip(before, (a, b) => a - b)];
            }

            _scheduleAtSample = null;
        }

        /// <summary>The main thread's and the first helper's schedstat (ns on a processor, ns waiting on a run queue, slices), or null off Linux.</summary>
        private static long[]? ScheduleNow()
        {
            try
            {
                s_helperSchedule ??= Directory.GetDirectories("/proc/self/task").Select(d => Path.Combine(d, "schedstat"))
                    .FirstOrDefault(f => File.ReadAllText(Path.Combine(Path.GetDirectoryName(f)!, "comm")).StartsWith("Flow.Neural wor", StringComparison.Ordinal));
                if (s_helperSchedule is null)
                {
                    return null;
                }

                return [.. File.ReadAllText("/proc/thread-self/schedstat").Split(' ').Concat(File.ReadAllText(s_helperSchedule).Split(' ')).Select(long.Parse)];
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }

        private static string? s_helperSchedule;

        /// <summary>Gets the rotation's current round (−1 before the timed rounds).</summary>
        internal int Round => _round;

        /// <summary>Writes the recorded steps, one line each, round by round, each round headed by the rotation's figures of that round:
        /// the FMA loop's 2-vs-1 scaling and the 2-worker ratio against variant <paramref name="best"/>.</summary>
        internal void WriteTrace(string path, List<double>[] r, int best)
        {
            using var w = new StreamWriter(path);
            w.WriteLine("# per step, ms from the step's start: fork->w0/w1 chunk start; w0/w1 chunk end; chunks w0/w1; chunk join; update fork; w0/w1 update start; w0/w1 update end; update join; step end; gen0 GCs during the step; ms in the update phase's dense dW GEMMs w0/w1 and copying each worker's updated slices to the other replica w0/w1; the processor w0/w1 began its chunks on, then its update on (sched_getcpu)");
            int step = 0;
            for (int round = 0; round < r[0].Count; round++)
            {
                string schedule = _schedule.TryGetValue(round, out long[]? d)
                    ? string.Create(CultureInfo.InvariantCulture, $"; over the 2-worker sample, main thread ran {d[0] / 1e6:F2} ms, waited {d[1] / 1e6:F3} ms on a run queue, {d[2]} slices; helper ran {d[3] / 1e6:F2} ms, waited {d[4] / 1e6:F3} ms, {d[5]} slices")
                    : string.Empty;
                w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: FMA 2v1 {2 * r[0][round] / r[1][round]:F3}; 2 workers against the best 1-worker variant {r[best][round] / r[5][round]:F3} (1-worker {r[best][round] * 1000:F3} ms, 2-worker {r[5][round] * 1000:F3} ms){schedule}"));
                for (; step < _trace.Count && _trace[step].Round == round; step++)
                {
                    TracedStep s = _trace[step];
                    string At(int i) => Ms(s.Stamps[i] - s.Start).ToString("F3", CultureInfo.InvariantCulture);
                    string Span(int i) => Ms(s.Spans[i]).ToString("F3", CultureInfo.InvariantCulture);
                    w.WriteLine($"{round} start {At(0)}/{At(1)} cend {At(2)}/{At(3)} chunks {s.Chunks0}/{s.Chunks1} cjoin {At(4)} ufork {At(5)} ustart {At(6)}/{At(7)} uend {At(8)}/{At(9)} ujoin {At(10)} end {At(11)} gc {s.Collections} gemm {Span(0)}/{Span(1)} copy {Span(2)}/{Span(3)} cpu {s.Processors[0]}/{s.Processors[1]} {s.Processors[2]}/{s.Processors[3]}");
                }
            }
        }

        internal void Clear()
        {
            _trace.Clear();
            _chunkTimeRatios.Clear();
            foreach (List<double> list in (List<double>[])[_step, _chunkPhase, _updatePhase, _outside, _busySum, _tailIdle, _updateIdle, _chunks1])
            {
                list.Clear();
            }
        }

        internal void Step(DataParallelTrainer trainer, Tensor x, Tensor y)
        {
            if (trace && _round >= 0 && _scheduleRound != _round)
            {
                _scheduleRound = _round;
                _scheduleAtSample = ScheduleNow();
            }

            int gc = trace ? GC.CollectionCount(0) : 0;
            long start = Stopwatch.GetTimestamp();
            trainer.TrainStep(x, y);
            long end = Stopwatch.GetTimestamp();
            long ticks = end - start;
            var t = trainer.LastStepTimes;
            if (trace)
            {
                // Raw timestamps only (no formatting between steps, which would delay the next step's fork); see WriteTrace.
                long join = t.ComputeFork + t.ComputeWall;
                _trace.Add(new TracedStep(
                    _round,
                    start,
                    [
                        t.ComputeStart[0], t.ComputeStart[^1], t.ComputeEnd[0], t.ComputeEnd[^1], join, t.UpdateFork,
                        t.UpdateStart[0], t.UpdateStart[^1], t.UpdateEnd[0], t.UpdateEnd[^1], join + t.UpdateWall, end,
                    ],
                    t.Chunks[0],
                    t.Chunks[^1],
                    GC.CollectionCount(0) - gc,
                    [t.UpdateGemm[0], t.UpdateGemm[^1], t.Copy[0], t.Copy[^1]],
                    [t.ComputeProcessor[0], t.ComputeProcessor[^1], t.UpdateProcessor[0], t.UpdateProcessor[^1]]));
            }

            _step.Add(Ms(ticks));
            _chunkPhase.Add(Ms(t.ComputeWall));
            _updatePhase.Add(Ms(t.UpdateWall));
            _outside.Add(Ms(ticks - t.ComputeWall - t.UpdateWall));
            _busySum.Add(Ms(t.Compute.Sum()));
            _tailIdle.Add(Ms(t.ComputeWall - t.Compute.Min()));
            _updateIdle.Add(Ms(t.UpdateWall - t.Update.Min()));
            _chunks1.Add(t.Chunks[^1]);
            if (t.Chunks[0] > 0 && t.Chunks[^1] > 0)
            {
                double perChunk0 = (double)t.Compute[0] / t.Chunks[0], perChunk1 = (double)t.Compute[^1] / t.Chunks[^1];
                _chunkTimeRatios.Add((_round, Math.Max(perChunk0, perChunk1) / Math.Min(perChunk0, perChunk1)));
            }
        }

        /// <summary>
        /// The rounds in which one worker's chunks took at least 15 % longer than the other's (median over the round's steps; the
        /// two cores run the same chunks, so this is the host slowing one core's memory-side work, which the FMA loop does not see),
        /// and the ratio over the other rounds: a diagnostic, not the headline.
        /// </summary>
        internal string SlowCoreRounds(List<double>[] r, int best, int parallel)
        {
            var slow = _chunkTimeRatios.GroupBy(x => x.Round).Where(g => Median(g.Select(x => x.Slower)) >= 1.15).Select(g => g.Key).ToHashSet();
            var even = Enumerable.Range(0, r[0].Count).Where(i => !slow.Contains(i)).ToList();
            string ratio = even.Count == 0 ? "none" : string.Create(CultureInfo.InvariantCulture, $"{Median(even.Select(i => r[best][i])) / Median(even.Select(i => r[parallel][i])):F2}x");
            return $"{slow.Count} of {r[0].Count} rounds had one worker's chunks >= 15 % slower than the other's (median per round); over the other {even.Count} rounds (not the headline) 2 workers against the same best 1-worker variant {ratio}";
        }

        /// <summary>Medians of the recorded steps, against <paramref name="oneWorkerSeconds"/>, the best one-worker variant's step.</summary>
        internal string Describe(double oneWorkerSeconds) => string.Create(
            CultureInfo.InvariantCulture,
            $"median of {_step.Count} steps: step {Median(_step):F3} ms (half the best 1-worker step {oneWorkerSeconds * 500:F3} ms); chunk phase {Median(_chunkPhase):F3}, update phase {Median(_updatePhase):F3}, outside the phases {Median(_outside):F3}; both workers' chunk busy time summed {Median(_busySum):F3} (1-worker step {oneWorkerSeconds * 1000:F3}); idle of the first worker done with chunks {Median(_tailIdle):F3}, in the update phase {Median(_updateIdle):F3}; chunks run by the last worker {Median(_chunks1):F0} (min {_chunks1.Min():F0}, max {_chunks1.Max():F0})");

        private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
    }

    /// <summary>One configuration of the `pipeline` section: a pipeline trainer (or, with no baseline, the one-worker trainer it is compared with) and its timed steps per round.</summary>
    private sealed class PipelineCase(string name, int batch, PipelineCase? baseline, int microBatches, bool flowPipeline, Action step, PipelineParallelTrainer? trainer)
    {
        public string Name => name;

        public int Batch => batch;

        public PipelineCase? Baseline => baseline;

        public int MicroBatches => microBatches;

        public bool FlowPipeline => flowPipeline;

        public PipelineParallelTrainer? Trainer => trainer;

        public List<List<(double Seconds, PipelineStepStatistics? Statistics)>> Rounds { get; } = [];

        public (double Seconds, PipelineStepStatistics? Statistics) Step()
        {
            long t0 = Stopwatch.GetTimestamp();
            step();
            return (Stopwatch.GetElapsedTime(t0).TotalSeconds, trainer?.LastStatistics);
        }
    }

    /// <summary>Runs every stage of a step on the calling thread, in GPipe's order (for timing each stage's work on one core).</summary>
    private sealed class OneThreadScheduler : Internal.Pipeline.IPipelineScheduler
    {
        public void Run(IReadOnlyList<Internal.Pipeline.PipelineStage> stages, int microBatches, Func<int, Tensor> input, Action<int, Tensor> output, Func<int, Tensor>? lossGradient, Internal.Pipeline.StageParameterUpdate? update)
        {
            bool training = lossGradient is not null;
            for (int s = 0; s < stages.Count; s++)
            {
                Internal.Pipeline.PipelineStage.PrepareBeforeFirstForward(stages, s, training);
            }

            var activations = new Tensor[microBatches];
            for (int m = 0; m < microBatches; m++)
            {
                activations[m] = input(m);
            }

            foreach (var stage in stages)
            {
                for (int m = 0; m < microBatches; m++)
                {
                    activations[m] = stage.Forward(m, activations[m], training);
                }

                if (training)
                {
                    Internal.Pipeline.PipelineStage.PrepareBackwardAfterLastForward(stages, stage.Index);
                }
            }

            for (int m = 0; m < microBatches; m++)
            {
                output(m, activations[m]);
            }

            if (lossGradient is null)
            {
                return;
            }

            for (int m = 0; m < microBatches; m++)
            {
                activations[m] = lossGradient(m);
            }

            for (int s = stages.Count - 1; s >= 0; s--)
            {
                for (int m = microBatches - 1; m >= 0; m--)
                {
                    activations[m] = stages[s].Backward(m, activations[m]);
                }

                stages[s].FinishBackward(update);
            }

            if (update is not null && update.AllArrived.Result)
            {
                foreach (var stage in stages)
                {
                    stage.UpdateOwnParameters(update);
                }
            }
        }
    }
}
