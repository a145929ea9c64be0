using Flow.Pipeline;

namespace Flow.Neural.Internal.Pipeline;

/// <summary>
/// GPipe on Flow.Pipeline, one pipeline run per step: micro-batches → stage 0 forward → … → stage
/// K−1 forward → loss → stage K−1 backward → … → stage 0 backward. The loss stage holds the
/// gradients until the last output has arrived, so every forward runs before any backward (GPipe).
/// Each model stage is a pipeline stage with one worker, so stages run concurrently on different
/// cores while each keeps micro-batch order.
/// </summary>
internal sealed class FlowPipelineScheduler : IPipelineScheduler
{
    public void Run(IReadOnlyList<PipelineStage> stages, int microBatches, Func<int, Tensor> input, Action<int, Tensor> output, Func<int, Tensor>? lossGradient)
    {
        bool training = lossGradient is not null;

        // Forward weights are packed before the first micro-batch (stages after the first would wait for
        // it anyway, so they pack on pool threads while it travels down); backward weights after each
        // stage's last forward (see PipelineStage.PrepareBackwardAfterLastForward).
        var forwardReady = new Task?[stages.Count];
        for (int s = 1; s < stages.Count; s++)
        {
            PipelineStage stage = stages[s];
            forwardReady[s] = Task.Run(() => stage.PrepareWeightsOf(stage, forward: true, backward: false));
        }

        stages[0].PrepareWeightsOf(stages[0], forward: true, backward: false);
        var lastStageReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var backwardReady = new Task?[stages.Count];
        var builder = new PipelineBuilder(new PipelineOptions { Name = "gpipe" });
        StageHandle<(int M, Tensor T)> down = builder.From(Enumerable.Range(0, microBatches).Select(m => (m, input(m))), "micro-batches");
        foreach (PipelineStage stage in stages)
        {
            down = down.ThenAsync(
                async (x, _) =>
                {
                    // Awaited, not waited on: a pool thread blocked here would hold the thread that the
                    // packing task needs, and the pool would add a thread — more runnable threads than cores.
                    if (forwardReady[stage.Index] is { } ready)
                    {
                        await ready.ConfigureAwait(false);
                    }

                    Tensor y = stage.Forward(x.M, x.T, training);
                    if (training && x.M == microBatches - 1)
                    {
                        backwardReady[stage.Index] = Task.Run(() => PipelineStage.PrepareBackwardAfterLastForward(stages, stage.Index, lastStageReady), CancellationToken.None);
                    }

                    return (x.M, y);
                },
                StageOptionsFor($"stage{stage.Index}-forward", microBatches));
        }

        if (lossGradient is null)
        {
            down.To(x => output(x.M, x.T), StageOptionsFor("output", microBatches));
            Execute(builder);
            return;
        }

        // One pipeline run per step: the loss stage is the barrier between the phases. It takes the
        // outputs in order and, after the last, releases the loss gradients last micro-batch first
        // (GPipe's backward order); the last stage's last forward is always the last output, so the
        // backward starts exactly where GPipe's does, without a second pipeline to build and start.
        StageHandle<(int M, Tensor T)> up = down.ThenMany(
            x =>
            {
                output(x.M, x.T);
                return x.M == microBatches - 1 ? Enumerable.Range(0, microBatches).Reverse().Select(m => (m, lossGradient(m))).ToArray() : [];
            },
            StageOptionsFor("loss", microBatches));

        // Each stage flushes its deferred weight gradients after its last input gradient has gone
        // upstream (on a pool thread, as the stage's own worker is then idle), so neighbours flush together.
        var flushing = new Task?[stages.Count];
        for (int s = stages.Count - 1; s >= 0; s--)
        {
            PipelineStage stage = stages[s];
            up = up.ThenAsync(
                async (x, _) =>
                {
                    if (x.M == microBatches - 1 && (stage.Index == stages.Count - 1 && stages.Count > 1 ? lastStageReady.Task : backwardReady[stage.Index]) is { } ready)
                    {
                        // The last stage's backward weights are packed by the stage before it (awaited, as above).
                        await ready.ConfigureAwait(false);
                    }

                    Tensor g = stage.Backward(x.M, x.T);
                    if (x.M == 0)
                    {
                        flushing[stage.Index] = Task.Run(stage.FlushDeferredGradients, CancellationToken.None);
                    }

                    return (x.M, g);
                },
                StageOptionsFor($"stage{stage.Index}-backward", microBatches));
        }

        up.To(_ => { }, StageOptionsFor("done", microBatches));
        try
        {
            Execute(builder);
        }
        finally
        {
            foreach (Task? t in flushing)
            {
                t?.GetAwaiter().GetResult();
            }
        }
    }

    private static StageOptions StageOptionsFor(string name, int microBatches) =>
        new() { Name = name, MaxDegreeOfParallelism = 1, BoundedCapacity = microBatches, EnsureOrdered = true };

    private static void Execute(PipelineBuilder builder)
    {
        try
        {
            builder.Build().RunAsync().GetAwaiter().GetResult();
        }
        catch (StageFailedException ex) when (ex.InnerException is not null)
        {
            // Callers of the trainer see the layer's own exception, as with one worker.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
        }
    }
}
