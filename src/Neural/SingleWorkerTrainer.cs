using Flow.Neural.Internal.Training;

namespace Flow.Neural;

/// <summary>Training on one worker: forward, loss, backward, one optimizer step per batch.</summary>
/// <remarks>
/// A model whose activations dominate its parameters (convolutional models) runs the batch in chunks whose
/// activations fit a core's L2 cache, in order, their gradients added up (each chunk's loss gradient scaled by
/// its share of the batch), and the dense layers' weight gradients postponed to one GEMM over the whole batch
/// after the last chunk. Other models (MLPs), and models whose kernels run on several cores
/// (<see cref="ComputeOptions.DegreeOfParallelism"/> above 1), run the whole batch at once. Both give the
/// batch-mean gradient, up to rounding.
/// </remarks>
public sealed class SingleWorkerTrainer : IBatchTrainer
{
    private readonly Loss _loss;
    private readonly Optimizer _optimizer;
    private readonly ChunkRunner _runner;
    private readonly DeferredBatch _deferred;
    private Tensor? _gradient;
    private readonly ChunkRule _rule;

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
        _runner = new ChunkRunner(model);
        _deferred = new DeferredBatch(model);
        _rule = new ChunkRule(model);
    }

    /// <inheritdoc/>
    public Sequential Model { get; }

    /// <summary>Gets or sets the rows per chunk (the batch in ⌊batch / rows⌋ chunks), 0 to run the whole batch at once, or null
    /// for the rule (<see cref="ChunkRule"/>).</summary>
    internal int? ChunkRows { get; set; }

    /// <summary>Gets how many chunks the last step ran (1: the whole batch at once).</summary>
    internal int LastChunks { get; private set; }

    /// <inheritdoc/>
    public float TrainStep(Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        Model.ZeroGradients();
        int batch = inputs.Dim(0);
        // Neuron-parallel kernels (more than one core per layer) keep the whole batch: chunks would give them
        // smaller GEMMs to split.
        int chunks = 1;
        if (ChunkRows is { } rows)
        {
            chunks = rows <= 0 ? 1 : Math.Max(1, batch / rows);
        }
        else if (Model.Options.DegreeOfParallelism == 1)
        {
            chunks = _rule.Chunks(inputs);
        }

        LastChunks = chunks;
        float value;
        if (chunks == 1)
        {
            Tensor output = Model.Forward(inputs, training: true);
            if (_gradient is null || !_gradient.HasShape([.. output.Shape]))
            {
                _gradient = new Tensor([.. output.Shape]);
            }

            value = _loss.Compute(output, targets, _gradient);
            Model.BackwardParameters(_gradient);
        }
        else
        {
            value = RunChunks(inputs, targets, batch, chunks);
        }

        _optimizer.Step(Model.Parameters);
        return value;
    }

    /// <summary>The batch in <paramref name="chunks"/> chunks, their gradients added in order, deferred weight gradients in one GEMM each over the whole batch.</summary>
    private float RunChunks(Tensor inputs, Tensor targets, int batch, int chunks)
    {
        _deferred.Prepare(batch);
        double total = 0;
        for (int c = 0; c < chunks; c++)
        {
            (int first, int count) = BatchSplit.Part(batch, chunks, c);
            total += _runner.Run(inputs, targets, first, count, _loss, _deferred) * (double)count;
        }

        IReadOnlyList<Parameter> parameters = Model.Parameters;
        for (int p = 0; p < parameters.Count; p++)
        {
            if (_deferred.IsDeferred(p))
            {
                _deferred.SetGradient(p, 0, parameters[p].Gradient.Length, Model.Options);
            }
        }

        return (float)(total / batch);
    }
}
