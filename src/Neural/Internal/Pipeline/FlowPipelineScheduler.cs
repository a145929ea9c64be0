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
    public void Run(IReadOnlyList<PipelineStage> stages, int microBatches, Func<int, Tensor> input, Action<int, Tensor> output, Func<int, Tensor>? lossGradient, StageParameterUpdate? update)
    {
        bool training = lossGradient is not null;

        // Weights are packed and gradients zeroed where a stage would wait anyway: before the first
        // micro-batch (stages after the first on pool threads, while it travels down) and after each
        // stage's last forward (see PipelineStage.PrepareBeforeFirstForward and PrepareBackwardAfterLastForward).
        var forwardReady = new Task?[stages.Count];
        for (int s = 1; s < stages.Count; s++)
        {
            int index = s;
            forwardReady[s] = Task.Run(() => PipelineStage.PrepareBeforeFirstForward(stages, index, training));
        }

        PipelineStage.PrepareBeforeFirstForward(stages, 0, training);
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
                    if (training && x.M == microBatches - 1 && (stage.Index < stages.Count - 1 || stages.Count == 1))
                    {
                        backwardReady[stage.Index] = Task.Run(() => PipelineStage.PrepareBackwardAfterLastForward(stages, stage.Index), CancellationToken.None);
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
        // upstream (on a pool thread, as the stage's own worker is then idle), so neighbours flush
        // together; then, once every stage's gradients are complete, each updates its own parameters.
        var flushing = new Task?[stages.Count];
        for (int s = stages.Count - 1; s >= 0; s--)
        {
            PipelineStage stage = stages[s];
            up = up.ThenAsync(
                async (x, _) =>
                {
                    if (x.M == microBatches - 1 && backwardReady[stage.Index] is { } ready)
                    {
                        // Awaited, as above; the last stage has none (it prepared before its first forward).
                        await ready.ConfigureAwait(false);
                    }

                    Tensor g = stage.Backward(x.M, x.T);
                    if (x.M == 0)
                    {
                        flushing[stage.Index] = Task.Run(
                            async () =>
                            {
                                stage.FinishBackward(update);
                                if (update is not null && await update.AllArrived.ConfigureAwait(false))
                                {
                                    stage.UpdateOwnParameters(update);
                                }
                            },
                            CancellationToken.None);
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
        catch
        {
            // Stages that never reached their last backward never arrive: release those that did.
            update?.Fail();
            throw;
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
