using Flow.Pipeline;

namespace Flow.Neural.Internal.Pipeline;

/// <summary>
/// GPipe on Flow.Pipeline: the forward phase is one pipeline run (micro-batches → stage 0 → … →
/// stage K−1 → loss) and the backward phase another (loss gradients → stage K−1 → … → stage 0).
/// Each model stage is a pipeline stage with one worker, so stages run concurrently on different
/// cores while each keeps micro-batch order. The phase boundary costs nothing extra: the last
/// forward to finish is always the last stage's last micro-batch, where GPipe's backward starts anyway.
/// </summary>
internal sealed class FlowPipelineScheduler : IPipelineScheduler
{
    public void Run(IReadOnlyList<PipelineStage> stages, int microBatches, Func<int, Tensor> input, Action<int, Tensor> output, Func<int, Tensor>? lossGradient)
    {
        bool training = lossGradient is not null;
        var forward = new PipelineBuilder(new PipelineOptions { Name = "gpipe-forward" });
        StageHandle<(int M, Tensor T)> down = forward.From(Enumerable.Range(0, microBatches).Select(m => (m, input(m))), "micro-batches");
        foreach (PipelineStage stage in stages)
        {
            down = down.Then(x => (x.M, stage.Forward(x.M, x.T, training)), StageOptionsFor($"stage{stage.Index}-forward", microBatches));
        }

        down.To(x => output(x.M, x.T), StageOptionsFor("loss", microBatches));
        Execute(forward);
        if (lossGradient is null)
        {
            return;
        }

        var backward = new PipelineBuilder(new PipelineOptions { Name = "gpipe-backward" });
        StageHandle<(int M, Tensor T)> up = backward.From(Enumerable.Range(0, microBatches).Reverse().Select(m => (m, lossGradient(m))), "loss-gradients");
        for (int s = stages.Count - 1; s >= 0; s--)
        {
            PipelineStage stage = stages[s];
            up = up.Then(x => (x.M, stage.Backward(x.M, x.T)), StageOptionsFor($"stage{stage.Index}-backward", microBatches));
        }

        up.To(_ => { }, StageOptionsFor("done", microBatches));
        Execute(backward);
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
