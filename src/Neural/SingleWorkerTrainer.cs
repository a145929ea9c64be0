namespace Flow.Neural;

/// <summary>Plain training on one worker: forward, loss, backward, one optimizer step per batch.</summary>
public sealed class SingleWorkerTrainer : IBatchTrainer
{
    private readonly Loss _loss;
    private readonly Optimizer _optimizer;
    private Tensor? _gradient;

    /// <summary>Creates the trainer.</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="loss">The loss function.</param>
    /// <param name="optimizer">The optimizer.</param>
    public SingleWorkerTrainer(Sequential model, Loss loss, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        Model = model;
        _loss = loss;
        _optimizer = optimizer;
    }

    /// <inheritdoc/>
    public Sequential Model { get; }

    /// <inheritdoc/>
    public float TrainStep(Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        Model.ZeroGradients();
        Tensor output = Model.Forward(inputs, training: true);
        if (_gradient is null || !_gradient.HasShape([.. output.Shape]))
        {
            _gradient = new Tensor([.. output.Shape]);
        }

        float value = _loss.Compute(output, targets, _gradient);
        Model.BackwardParameters(_gradient);
        _optimizer.Step(Model.Parameters);
        return value;
    }
}
