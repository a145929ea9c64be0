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
        int k = stages.Count;
        if (k > 1 && SpinWaiting.Affordable(k))
        {
            // Each stage computes on a thread of its own (the caller's and the worker team's helpers),
            // which the stage's Flow.Pipeline stages post to; the caller's thread starts the pipeline run first.
            var executors = new StageExecutor[k];
            for (int s = 0; s < k; s++)
            {
                executors[s] = new StageExecutor();
            }

            Task? step = null;
            if (Threading.WorkerTeam.Shared.TryRun(k, index =>
            {
                if (index == 0)
                {
                    step = RunStepAsync(stages, microBatches, input, output, lossGradient, update, executors);
                }

                executors[index].Loop();
            }))
            {
                Wait(step!);
                return;
            }
        }

        // One stage, more stages than cores, or the team busy: stages compute on the pool threads that run them.
        Wait(RunStepAsync(stages, microBatches, input, output, lossGradient, update, executors: null));
    }

    private static async Task RunStepAsync(
        IReadOnlyList<PipelineStage> stages,
        int microBatches,
        Func<int, Tensor> input,
        Action<int, Tensor> output,
        Func<int, Tensor>? lossGradient,
        StageParameterUpdate? update,
        StageExecutor[]? executors)
    {
        bool training = lossGradient is not null;
        var finishing = new Task?[stages.Count];
        try
        {
            // Weights are packed and gradients zeroed where a stage would wait anyway: before the first
            // micro-batch (stages after the first while it travels down) and after each stage's last
            // forward (see PipelineStage.PrepareBeforeFirstForward and PrepareBackwardAfterLastForward).
            var forwardReady = new Task?[stages.Count];
            for (int s = 1; s < stages.Count; s++)
            {
                int index = s;
                forwardReady[s] = Start(executors, s, () => PipelineStage.PrepareBeforeFirstForward(stages, index, training));
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
                            backwardReady[stage.Index] = executors is null
                                ? Task.Run(() => PipelineStage.PrepareBackwardAfterLastForward(stages, stage.Index), CancellationToken.None)
                                : executors[stage.Index].RunAfterCurrent(() => PipelineStage.PrepareBackwardAfterLastForward(stages, stage.Index));
                        }

                        return (x.M, y);
                    },
                    StageOptionsFor($"stage{stage.Index}-forward", microBatches, executors?[stage.Index]));
            }

            if (lossGradient is null)
            {
                down.To(x => output(x.M, x.T), StageOptionsFor("output", microBatches, executors?[^1]));
                await Execute(builder).ConfigureAwait(false);
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
                StageOptionsFor("loss", microBatches, executors?[^1]));

            // Each stage flushes its deferred weight gradients after its last input gradient has gone
            // upstream (on its executor, or a pool thread, as the stage's backward worker is then idle), so
            // neighbours flush together; then, once every stage's gradients are complete, each updates its
            // own parameters.
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
                            finishing[stage.Index] = executors is null
                                ? Task.Run(() => FinishStepAsync(stage, update), CancellationToken.None)
                                : FinishStepOn(executors[stage.Index], stage, update);
                        }

                        return (x.M, g);
                    },
                    StageOptionsFor($"stage{stage.Index}-backward", microBatches, executors?[stage.Index]));
            }

            up.To(_ => { }, StageOptionsFor("done", microBatches, scheduler: null));
            try
            {
                await Execute(builder).ConfigureAwait(false);
            }
            catch
            {
                // Stages that never reached their last backward never arrive: release those that did.
                update?.Fail();
                throw;
            }
            finally
            {
                foreach (Task? t in finishing)
                {
                    if (t is not null)
                    {
                        await t.ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            foreach (StageExecutor executor in executors ?? [])
            {
                executor.Close();
            }
        }
    }

    /// <summary>Ends a stage's step on a pool thread: flushes its weight gradients, waits for every stage's, then updates its own parameters.</summary>
    private static async Task FinishStepAsync(PipelineStage stage, StageParameterUpdate? update)
    {
        stage.FinishBackward(update);
        if (update is not null && await update.AllArrived.ConfigureAwait(false))
        {
            stage.UpdateOwnParameters(update);
        }
    }

    /// <summary>
    /// Ends a stage's step on its executor without ever blocking it: the executor also runs the tasks
    /// that hand this stage's last outputs on (TPL Dataflow offers a block's outputs from tasks on the
    /// block's scheduler), which the other stages need before they can arrive — a wait for them here
    /// would never end.
    /// </summary>
    private static Task FinishStepOn(StageExecutor executor, PipelineStage stage, StageParameterUpdate? update)
    {
        Task flushed = executor.RunAfterCurrent(() => stage.FinishBackward(update));
        if (update is null)
        {
            return flushed;
        }

        return Task.WhenAll(flushed, update.AllArrived).ContinueWith(
            _ =>
            {
                flushed.GetAwaiter().GetResult();
                if (update.AllArrived.Result)
                {
                    stage.UpdateOwnParameters(update);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            executor);
    }

    /// <summary>Starts a stage's side work (packing, zeroing) on its executor, or on a pool thread when there are no executors.</summary>
    private static Task Start(StageExecutor[]? executors, int stage, Action work) =>
        executors is null ? Task.Run(work) : executors[stage].Run(work);

    private static void Wait(Task step)
    {
        try
        {
            step.GetAwaiter().GetResult();
        }
        catch (StageFailedException ex) when (ex.InnerException is not null)
        {
            // Callers of the trainer see the layer's own exception, as with one worker.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
        }
    }

    private static StageOptions StageOptionsFor(string name, int microBatches, TaskScheduler? scheduler) =>
        new() { Name = name, MaxDegreeOfParallelism = 1, BoundedCapacity = microBatches, EnsureOrdered = true, TaskScheduler = scheduler, MaxItemsPerTask = scheduler is null ? null : 1 };

    private static Task<PipelineResult> Execute(PipelineBuilder builder) => builder.Build().RunAsync();
}
