namespace Flow.Pipeline;

/// <summary>
/// A running pipeline: its live monitor, a graceful stop, and the task of its result.
/// </summary>
public sealed class PipelineRun
{
    private readonly Action _requestStop;

    internal PipelineRun(PipelineMonitor monitor, Task<PipelineResult> completion, Action requestStop)
    {
        Monitor = monitor;
        Completion = completion;
        _requestStop = requestStop;
    }

    /// <summary>Live figures of the run.</summary>
    public PipelineMonitor Monitor { get; }

    /// <summary>
    /// Completes with the result; faults with one <see cref="StageFailedException"/> when a stage
    /// fails; is canceled when the caller's token cancels the run.
    /// </summary>
    public Task<PipelineResult> Completion { get; }

    /// <summary>
    /// Stops gracefully: sources stop reading, items already read drain through every stage,
    /// partial batches are emitted, and the run completes with <see cref="PipelineOutcome.Stopped"/>.
    /// To abandon in-flight items instead, cancel the token given to <see cref="Pipeline.Start"/>.
    /// </summary>
    public void RequestStop() => _requestStop();
}
