namespace Flow.Neural.Internal.Pipeline;

/// <summary>
/// Runs pipeline stages over micro-batches: on Flow.Pipeline stages (<see cref="FlowPipelineScheduler"/>)
/// or on threads connected by channels (<see cref="GPipeChannelScheduler"/>).
/// </summary>
internal interface IPipelineScheduler
{
    /// <summary>
    /// Runs every micro-batch forward through all stages; then, when <paramref name="lossGradient"/>
    /// is given, backward through all stages (GPipe: all forwards, then all backwards).
    /// </summary>
    /// <param name="stages">The stages, first to last.</param>
    /// <param name="microBatches">The number of micro-batches M.</param>
    /// <param name="input">Gives micro-batch m's input to the first stage.</param>
    /// <param name="output">Receives micro-batch m's output of the last stage.</param>
    /// <param name="lossGradient">Gives dLoss/dOutput of micro-batch m, or is null for inference.</param>
    /// <param name="update">In a training step whose optimizer step the stages take themselves, the
    /// update each stage applies to its own parameters after all stages' gradients are complete
    /// (<see cref="PipelineStage.FinishBackward"/>); null when the caller steps the whole model afterwards.</param>
    void Run(IReadOnlyList<PipelineStage> stages, int microBatches, Func<int, Tensor> input, Action<int, Tensor> output, Func<int, Tensor>? lossGradient, StageParameterUpdate? update);
}
