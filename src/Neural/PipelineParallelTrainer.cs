using System.Diagnostics;
using Flow.Neural.Internal.Pipeline;
using Flow.Neural.Internal.Training;

namespace Flow.Neural;

/// <summary>
/// Pipeline (model) parallelism: a <see cref="Sequential"/> split into K stages of consecutive layers,
/// each running as a Flow.Pipeline stage on its own core, fed M micro-batches per batch with the GPipe
/// schedule (all forwards, then all backwards, gradients accumulated, one optimizer step). Results
/// equal the unsplit model.
/// </summary>
/// <remarks>
/// Not thread-safe: call one method at a time. Stages keep their Dense weights packed between
/// optimizer steps, so change parameters only through an optimizer step or
/// <see cref="Sequential.CopyParametersFrom"/>, which mark them changed.
/// </remarks>
public sealed class PipelineParallelTrainer : IBatchTrainer
{
    private readonly Loss _loss;
    private readonly Optimizer _optimizer;
    private readonly PipelineStage[] _stages;
    private readonly Tensor?[] _microInputs;
    private readonly Tensor?[] _microTargets;
    private readonly Tensor?[] _microGradients;
    private readonly float[] _microLoss;

    /// <summary>Creates the trainer.</summary>
    /// <param name="model">The model to split; its parameters are trained in place.</param>
    /// <param name="loss">The loss function.</param>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="stages">The number of stages K, at most the number of layers.</param>
    /// <param name="microBatches">The number of micro-batches M per batch.</param>
    /// <param name="stageStarts">Index of the first layer of each stage after the first (K − 1 increasing values);
    /// <see langword="null"/> balances the stages by an estimate of their compute cost.</param>
    /// <exception cref="ArgumentOutOfRangeException">K or M is not positive, or K exceeds the number of layers.</exception>
    /// <exception cref="ArgumentException"><paramref name="stageStarts"/> is not K − 1 increasing layer indices.</exception>
    public PipelineParallelTrainer(Sequential model, Loss loss, Optimizer optimizer, int stages, int microBatches, IReadOnlyList<int>? stageStarts = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stages);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(microBatches);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stages, model.Layers.Count);
        Model = model;
        _loss = loss;
        _optimizer = optimizer;
        MicroBatches = microBatches;
        int[] starts = stageStarts is null ? BalancedStarts(model, stages) : Validate(stageStarts, stages, model.Layers.Count);
        _stages = new PipelineStage[stages];
        for (int s = 0; s < stages; s++)
        {
            int start = s == 0 ? 0 : starts[s - 1];
            int end = s == stages - 1 ? model.Layers.Count : starts[s];
            _stages[s] = new PipelineStage(model, s, start, end, microBatches);
        }

        _microInputs = new Tensor?[microBatches];
        _microTargets = new Tensor?[microBatches];
        _microGradients = new Tensor?[microBatches];
        _microLoss = new float[microBatches];
    }

    /// <inheritdoc/>
    public Sequential Model { get; }

    /// <summary>Gets or sets the scheduler that runs the stages: Flow.Pipeline stages by default; the Tasks-and-Channels scheduler is the dependency-free alternative.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "The seam between the Flow.Pipeline scheduler and the plain Tasks-and-Channels one.")]
    internal IPipelineScheduler Scheduler { get; set; } = new FlowPipelineScheduler();

    /// <summary>
    /// Gets or sets whether each stage postpones its weight gradients to one GEMM per layer after its
    /// last micro-batch, sending every input gradient upstream as soon as it is computed. When
    /// <see langword="false"/>, each micro-batch's backward pass adds its weight gradients before its
    /// input gradient goes upstream, GPipe's own schedule, whose idle fraction is (K − 1)/(M + K − 1)
    /// for equal stages; postponing is faster and idles less, since all stages compute their weight
    /// gradients at the same time. Both give the same gradients.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool DeferWeightGradients
    {
        get => _stages[0].DeferWeightGradients;
        set
        {
            foreach (PipelineStage stage in _stages)
            {
                stage.DeferWeightGradients = value;
            }
        }
    }

    /// <summary>Gets the number of stages K.</summary>
    public int Stages => _stages.Length;

    /// <summary>Gets the number of micro-batches M per batch.</summary>
    public int MicroBatches { get; }

    /// <summary>Gets the layer range [start, end) of each stage.</summary>
    public IReadOnlyList<(int Start, int End)> StageLayers => [.. _stages.Select(s => (s.Start, s.End))];

    /// <summary>Gets the timing of the last <see cref="TrainStep"/> or <see cref="Forward"/>, or <see langword="null"/> before the first.</summary>
    public PipelineStepStatistics? LastStatistics { get; private set; }

    /// <summary>
    /// Chooses stage boundaries that balance estimated compute (multiply-adds per example of a training
    /// step, found by running one example through the model) rather than parameter counts; convolutions
    /// have few parameters but most of the work.
    /// </summary>
    /// <param name="model">The model to split.</param>
    /// <param name="exampleShape">The shape of one example without the batch dimension, e.g. [1, 28, 28].</param>
    /// <param name="stages">The number of stages K.</param>
    /// <returns>K − 1 stage starts to pass to the constructor.</returns>
    /// <exception cref="ArgumentOutOfRangeException">K is not positive or exceeds the number of layers.</exception>
    public static IReadOnlyList<int> BalanceByCompute(Sequential model, IReadOnlyList<int> exampleShape, int stages)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(exampleShape);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stages);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stages, model.Layers.Count);
        Sequential probe = model.Clone();
        Internal.Layers.LayerState[] states = probe.CreateStates(0, probe.Layers.Count);
        var context = new Internal.Layers.LayerContext(probe.Options, false);
        Tensor x = new([1, .. exampleShape]);
        double[] cost = new double[probe.Layers.Count];
        for (int i = 0; i < probe.Layers.Count; i++)
        {
            Tensor y = probe.ForwardRange(x, states, i, i + 1, context);
            cost[i] = probe.Layers[i] switch
            {
                Internal.Layers.DenseLayer d => (double)d.Inputs * d.Outputs,
                Internal.Layers.Conv2DLayer c => (double)c.Weight.Value.Length * (y.Length / c.OutChannels),
                Internal.Layers.Conv1DLayer c1 => (double)c1.Inner.Weight.Value.Length * (y.Length / c1.Inner.OutChannels),
                _ => x.Length,
            } * TrainingPasses(probe, i);
            x = y;
        }

        return Split(cost, stages);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The batch has fewer rows than there are micro-batches.</exception>
    public float TrainStep(Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        int batch = inputs.Dim(0);
        CheckBatch(batch);
        if (targets.Dim(0) != batch)
        {
            throw new ArgumentException($"inputs have {batch} rows but targets have {targets.Dim(0)}", nameof(targets));
        }

        for (int m = 0; m < MicroBatches; m++)
        {
            (int start, int count) = Slice(batch, m);
            BatchSplit.CopyRows(inputs, start, count, ref _microInputs[m]);
            BatchSplit.CopyRows(targets, start, count, ref _microTargets[m]);
        }

        // The stages take the step themselves, each on its own parameters and core, at the end of the run;
        // clipping needs the norm of every gradient, so it keeps the whole-model step after the run.
        // The stages zero their own gradients inside the run (before their first backward pass).
        StageParameterUpdate? update = _optimizer.MaxGradientNorm is null
            ? new StageParameterUpdate(_optimizer, Model.Parameters, _stages.Length)
            : null;
        Run(
            m => _microInputs[m]!,
            (m, y) =>
            {
                // Each micro-batch's mean-loss gradient is weighted by its share of the batch, so the
                // accumulated gradient is the whole batch's mean-loss gradient.
                Tensor g = _microGradients[m] is { } existing && existing.HasShape([.. y.Shape]) ? existing : (_microGradients[m] = new Tensor([.. y.Shape]));
                _microLoss[m] = _loss.Compute(y, _microTargets[m]!, g);
                float weight = (float)y.Dim(0) / batch;
                System.Numerics.Tensors.TensorPrimitives.Multiply(g.Span, weight, g.Span);
            },
            m => _microGradients[m]!,
            update);
        if (update is null)
        {
            _optimizer.Step(Model.Parameters);
        }
        else
        {
            _optimizer.EndStepInParts();
        }

        double total = 0;
        for (int m = 0; m < MicroBatches; m++)
        {
            total += _microLoss[m] * (double)Slice(batch, m).Count;
        }

        return (float)(total / batch);
    }

    /// <summary>Runs inference through the pipeline (forward passes only, micro-batched).</summary>
    /// <param name="inputs">The batch; at least <see cref="MicroBatches"/> rows.</param>
    /// <returns>A new tensor with the outputs of every row, in order.</returns>
    /// <exception cref="ArgumentException">The batch has fewer rows than there are micro-batches.</exception>
    public Tensor Forward(Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        int batch = inputs.Dim(0);
        CheckBatch(batch);
        for (int m = 0; m < MicroBatches; m++)
        {
            (int start, int count) = Slice(batch, m);
            BatchSplit.CopyRows(inputs, start, count, ref _microInputs[m]);
        }

        Tensor? result = null;
        Run(
            m => _microInputs[m]!,
            (m, y) =>
            {
                int rowSize = y.Length / y.Dim(0);
                int[] shape = [.. y.Shape];
                shape[0] = batch;
                result ??= new Tensor(shape);
                y.Span.CopyTo(result.Data.AsSpan(Slice(batch, m).Start * rowSize));
            },
            lossGradient: null,
            update: null);
        return result!;
    }

    /// <summary>Gets the stages, for recording their timelines (<see cref="PipelineStage.Trace"/>).</summary>
    internal IReadOnlyList<PipelineStage> StagesForTrace => _stages;

    /// <summary>Gets the Stopwatch timestamp at which the last step's stages started.</summary>
    internal long LastRunStart { get; private set; }

    private void Run(Func<int, Tensor> input, Action<int, Tensor> output, Func<int, Tensor>? lossGradient, StageParameterUpdate? update)
    {
        foreach (PipelineStage stage in _stages)
        {
            stage.BeginStep();
        }

        long t0 = Stopwatch.GetTimestamp();
        LastRunStart = t0;
        Scheduler.Run(_stages, MicroBatches, input, output, lossGradient, update);
        LastStatistics = new PipelineStepStatistics(Stopwatch.GetElapsedTime(t0), [.. _stages.Select(s => s.Busy)], MicroBatches);
    }

    private void CheckBatch(int batch)
    {
        if (batch < MicroBatches)
        {
            throw new ArgumentException($"a batch of {batch} cannot be split into {MicroBatches} micro-batches", nameof(batch));
        }
    }

    private (int Start, int Count) Slice(int batch, int m) => BatchSplit.Part(batch, MicroBatches, m);

    private static int[] Validate(IReadOnlyList<int> starts, int stages, int layers)
    {
        if (starts.Count != stages - 1)
        {
            throw new ArgumentException($"{stages} stages need {stages - 1} stage starts, got {starts.Count}", nameof(starts));
        }

        for (int i = 0; i < starts.Count; i++)
        {
            int previous = i == 0 ? 0 : starts[i - 1];
            if (starts[i] <= previous || starts[i] >= layers)
            {
                throw new ArgumentException($"stage starts must increase strictly within 1..{layers - 1}, got [{string.Join(", ", starts)}]", nameof(starts));
            }
        }

        return [.. starts];
    }

    /// <summary>Splits layers by parameter count (plus a constant per layer), the default without an example shape.</summary>
    private static int[] BalancedStarts(Sequential model, int stages) =>
        Split([.. model.Layers.Select((l, i) => 1.0 + (TrainingPasses(model, i) * l.Parameters.Sum(p => (double)p.Value.Length)))], stages);

    /// <summary>
    /// Passes over a layer's weights in a training step: forward, input gradient and weight gradient,
    /// except for the model's first trainable layer, whose input gradient is never computed. Without
    /// this, a split that balances forward work leaves stage 0 with less backward work than the others.
    /// </summary>
    private static double TrainingPasses(Sequential model, int layer) => layer == model.FirstTrainable ? 2 : 3;

    /// <summary>Places each of the K − 1 boundaries where the running cost is nearest to its share of the total.</summary>
    private static int[] Split(double[] cost, int stages)
    {
        double[] prefix = new double[cost.Length + 1];
        for (int i = 0; i < cost.Length; i++)
        {
            prefix[i + 1] = prefix[i] + cost[i];
        }

        double total = prefix[^1];
        int[] starts = new int[stages - 1];
        for (int s = 1; s < stages; s++)
        {
            int lowest = s == 1 ? 1 : starts[s - 2] + 1;
            int highest = cost.Length - (stages - s);
            double target = total * s / stages;
            int best = lowest;
            for (int i = lowest; i <= highest; i++)
            {
                if (Math.Abs(prefix[i] - target) < Math.Abs(prefix[best] - target))
                {
                    best = i;
                }
            }

            starts[s - 1] = best;
        }

        return starts;
    }
}
