namespace Flow.Neural.Internal.Pipeline;

/// <summary>
/// The optimizer step of one training step, taken by the stages themselves at the end of the step,
/// each on its own core, instead of by the caller over the whole model after the run. Each stage
/// arrives once its weight gradients are complete; when all have arrived, each updates its own
/// parameters (and packs its weights for the next step). A stage that fails releases the others
/// without any update, so a failed step changes no parameter.
/// </summary>
internal sealed class StageParameterUpdate
{
    private readonly TaskCompletionSource<bool> _allArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Optimizer _optimizer;
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly float _learningRate;
    private int _remaining;

    /// <summary>Creates the update of one step.</summary>
    /// <param name="optimizer">The optimizer; its state for every parameter is created here (before the stages run), and the caller closes the step.</param>
    /// <param name="parameters">The whole model's parameters; stages update disjoint ranges of them.</param>
    /// <param name="stages">The number of stages that will arrive.</param>
    internal StageParameterUpdate(Optimizer optimizer, IReadOnlyList<Parameter> parameters, int stages)
    {
        _optimizer = optimizer;
        _parameters = parameters;
        _remaining = stages;
        _learningRate = optimizer.BeginStep(parameters);
    }

    /// <summary>Gets a task that completes with <see langword="true"/> when every stage has arrived, or <see langword="false"/> when one failed.</summary>
    internal Task<bool> AllArrived => _allArrived.Task;

    /// <summary>Says that the calling stage's gradients are complete.</summary>
    internal void Arrive()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _allArrived.TrySetResult(true);
        }
    }

    /// <summary>Releases the stages waiting in <see cref="AllArrived"/> without an update (a stage, or the step, failed).</summary>
    internal void Fail() => _allArrived.TrySetResult(false);

    /// <summary>Updates parameters [<paramref name="start"/>, <paramref name="end"/>) of the model (no clipping,
    /// which needs every gradient) and marks them changed, so the stage's weight packing that follows sees them.</summary>
    internal void Update(int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            Parameter parameter = _parameters[i];
            _optimizer.UpdateRange(i, parameter, 0, parameter.Value.Length, _learningRate, 1f);
            parameter.Version++;
        }
    }
}
