using System.Threading.Channels;

namespace Flow.Neural.Internal.Pipeline;

/// <summary>
/// GPipe on one long-running task per stage, connected by channels: activations flow down, gradients
/// flow up. Stage k works on micro-batch m while stage k+1 works on m − 1.
/// </summary>
internal sealed class GPipeChannelScheduler : IPipelineScheduler
{
    public void Run(IReadOnlyList<PipelineStage> stages, int microBatches, Func<int, Tensor> input, Action<int, Tensor> output, Func<int, Tensor>? lossGradient, StageParameterUpdate? update)
    {
        int k = stages.Count;
        bool training = lossGradient is not null;
        var down = new Channel<(int M, Tensor T)>[k];
        var up = new Channel<(int M, Tensor T)>[k];
        for (int i = 0; i < k; i++)
        {
            down[i] = Channel.CreateUnbounded<(int, Tensor)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            up[i] = Channel.CreateUnbounded<(int, Tensor)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        }

        // Each stage on its own thread: the caller's and the worker team's persistent helpers (no
        // thread to create per step); while the team is in use elsewhere, one long-running task per stage.
        if (Threading.WorkerTeam.Shared.TryRun(k, index => RunStage(stages, index, microBatches, training, input, output, lossGradient, update, down, up)))
        {
            return;
        }

        var tasks = new Task[k];
        for (int s = 0; s < k; s++)
        {
            int index = s;
            tasks[s] = Task.Factory.StartNew(
                () => RunStage(stages, index, microBatches, training, input, output, lossGradient, update, down, up),
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }

        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
    }

    private static void RunStage(
        IReadOnlyList<PipelineStage> stages,
        int index,
        int microBatches,
        bool training,
        Func<int, Tensor> input,
        Action<int, Tensor> output,
        Func<int, Tensor>? lossGradient,
        StageParameterUpdate? update,
        Channel<(int M, Tensor T)>[] down,
        Channel<(int M, Tensor T)>[] up)
    {
        PipelineStage stage = stages[index];
        int k = stages.Count;
        bool spin = SpinWaiting.Affordable(k);
        try
        {
            // Weights are packed and gradients zeroed where the stage would wait anyway (see
            // PrepareBeforeFirstForward and PrepareBackwardAfterLastForward).
            PipelineStage.PrepareBeforeFirstForward(stages, index, training);
            for (int i = 0; i < microBatches; i++)
            {
                (int m, Tensor x) = index == 0 ? (i, input(i)) : Read(down[index - 1], spin);
                Tensor y = stage.Forward(m, x, training);
                if (index == k - 1)
                {
                    output(m, y);
                }
                else
                {
                    down[index].Writer.TryWrite((m, y));
                }
            }

            if (lossGradient is null)
            {
                return;
            }

            PipelineStage.PrepareBackwardAfterLastForward(stages, index);

            for (int i = microBatches - 1; i >= 0; i--)
            {
                (int m, Tensor g) = index == k - 1 ? (i, lossGradient(i)) : Read(up[index + 1], spin);
                Tensor gx = stage.Backward(m, g);
                if (index > 0)
                {
                    up[index].Writer.TryWrite((m, gx));
                }
            }

            // After the last input gradient has gone upstream, so both stages flush at the same time;
            // then each takes the optimizer step for its own parameters once every stage's gradients are complete.
            stage.FinishBackward(update);
            if (update is not null && spin)
            {
                SpinWaiting.Until(() => update.AllArrived.IsCompleted);
            }

            if (update is not null && update.AllArrived.GetAwaiter().GetResult())
            {
                stage.UpdateOwnParameters(update);
            }
        }
        catch (Exception ex)
        {
            // Wake neighbours blocked on this stage so the whole step fails instead of hanging.
            foreach (Channel<(int, Tensor)> c in down.Concat(up))
            {
                c.Writer.TryComplete(ex);
            }

            update?.Fail();

            throw;
        }
    }

    private static (int M, Tensor T) Read(Channel<(int M, Tensor T)> channel, bool spin)
    {
        if (spin)
        {
            SpinWaiting.Until(() => channel.Reader.TryPeek(out _) || channel.Reader.Completion.IsCompleted);
        }

        ValueTask<(int, Tensor)> pending = channel.Reader.ReadAsync();
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }
}
