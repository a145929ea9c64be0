using System.Diagnostics;
using Flow.Neural.Internal.Layers;

namespace Flow.Neural.Internal.Pipeline;

/// <summary>
/// One stage of a pipeline-parallel model: a contiguous range of a <see cref="Sequential"/>'s layers,
/// with one set of activation states per micro-batch so that all forwards can run before the backwards.
/// </summary>
internal sealed class PipelineStage
{
    private readonly Sequential _model;
    private readonly LayerState[][] _states;
    private long _busyTicks;

    internal PipelineStage(Sequential model, int index, int start, int end, int microBatches)
    {
        _model = model;
        Index = index;
        Start = start;
        End = end;
        _states = new LayerState[microBatches][];

        for (int m = 0; m < microBatches; m++)
        {
            _states[m] = model.CreateStates(start, end);
        }

        FirstParameter = model.Layers.Take(start).Sum(l => l.Parameters.Count);
        EndParameter = FirstParameter + model.Layers.Skip(start).Take(end - start).Sum(l => l.Parameters.Count);
    }

    internal int Index { get; }

    /// <summary>Gets or sets a timeline to record into (the `pipetrace` benchmark): each call's Stopwatch
    /// start and end, its kind (F forward, B backward, P weight packing, W deferred weight gradients,
    /// Z zeroing the gradients, U the optimizer update of its parameters) and its micro-batch (for P, Z and U, the stage). Null, the default, records nothing.</summary>
    internal List<(long Start, long End, char Kind, int M)>? Trace { get; set; }

    internal int Start { get; }

    internal int End { get; }

    /// <summary>Gets the index in <see cref="Sequential.Parameters"/> of this stage's first parameter.</summary>
    internal int FirstParameter { get; }

    /// <summary>Gets the index in <see cref="Sequential.Parameters"/> after this stage's last parameter.</summary>
    internal int EndParameter { get; }

    internal TimeSpan Busy => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _busyTicks));

    /// <summary>Starts a step: clears the busy time.</summary>
    internal void BeginStep()
    {
        _busyTicks = 0;
    }

    internal Tensor Forward(int microBatch, Tensor input, bool training)
    {
        long t0 = Stopwatch.GetTimestamp();
        Tensor output = _model.ForwardRange(input, _states[microBatch], Start, End, new LayerContext(_model.Options, training, CacheWeightPanels: true));
        AddBusy(t0);
        Trace?.Add((t0, Stopwatch.GetTimestamp(), 'F', microBatch));
        return output;
    }

    /// <summary>Runs micro-batch <paramref name="microBatch"/>'s backward pass: input gradient only, weight gradients deferred to <see cref="FlushDeferredGradients"/>.</summary>
    internal Tensor Backward(int microBatch, Tensor gradOutput)
    {
        long t0 = Stopwatch.GetTimestamp();
        Tensor gradInput = _model.BackwardRange(gradOutput, _states[microBatch], Start, End, BackwardContext());
        AddBusy(t0);
        Trace?.Add((t0, Stopwatch.GetTimestamp(), 'B', microBatch));
        return gradInput;
    }

    /// <summary>
    /// Packs this stage's cached weights (forward: W for the forward passes; backward: Wᵀ for the input
    /// gradients) before the micro-batches need them; a no-op for weights already packed since the last
    /// change. Schedulers call it where the stage would otherwise wait (see <see cref="PrepareBeforeFirstForward"/>).
    /// </summary>
    internal void PrepareWeights(bool forward, bool backward)
    {
        long t0 = Stopwatch.GetTimestamp();
        int skip = SkippedInputGradientLayer();
        for (int layer = Start; layer < End; layer++)
        {
            _model.Layers[layer].PrepareCachedWeights(forward, backward && layer != skip);
        }

        AddBusy(t0);
        Trace?.Add((t0, Stopwatch.GetTimestamp(), 'P', Index));
    }

    /// <summary>
    /// Run by stage <paramref name="index"/> before its first forward pass. Every stage packs its forward
    /// weights (a no-op in a training run's later steps: <see cref="UpdateOwnParameters"/> packed them at
    /// the end of the previous step). In a training step the last stage also zeroes its gradients and
    /// packs its backward weights here, while it waits for its first input: it goes straight from its last
    /// forward pass to its first backward pass, whereas every other stage waits there for the first
    /// gradient to come back and does the same in that wait (<see cref="PrepareBackwardAfterLastForward"/>).
    /// </summary>
    internal static void PrepareBeforeFirstForward(IReadOnlyList<PipelineStage> stages, int index, bool training)
    {
        PipelineStage stage = stages[index];
        stage.PrepareWeights(forward: true, backward: false);
        if (training && index == stages.Count - 1 && stages.Count > 1)
        {
            stage.ZeroGradients();
            stage.PrepareWeights(forward: false, backward: true);
        }
    }

    /// <summary>
    /// Run by stage <paramref name="index"/> right after its last forward pass of a training step: every
    /// stage but the last (which did it before its first forward pass) zeroes its gradients and packs
    /// its backward weights while the first gradient travels back up to it.
    /// </summary>
    internal static void PrepareBackwardAfterLastForward(IReadOnlyList<PipelineStage> stages, int index)
    {
        if (index < stages.Count - 1 || stages.Count == 1)
        {
            stages[index].ZeroGradients();
            stages[index].PrepareWeights(forward: false, backward: true);
        }
    }

    /// <summary>
    /// Ends the stage's part of a training step, after its last input gradient has gone upstream: adds
    /// the deferred weight gradients and, when the stages take the optimizer step themselves
    /// (<paramref name="update"/> not null), arrives at the update. Callers then wait for
    /// <see cref="StageParameterUpdate.AllArrived"/> and, when it says true, call <see cref="UpdateOwnParameters"/>.
    /// </summary>
    internal void FinishBackward(StageParameterUpdate? update)
    {
        try
        {
            FlushDeferredGradients();
        }
        catch
        {
            update?.Fail();
            throw;
        }

        update?.Arrive();
    }

    /// <summary>
    /// Takes the optimizer step for this stage's own parameters and packs its forward weights for the next
    /// step, so that step's first micro-batch starts at once (its backward weights are packed in the next
    /// step's waits, see <see cref="PrepareBeforeFirstForward"/>).
    /// </summary>
    internal void UpdateOwnParameters(StageParameterUpdate update)
    {
        long t0 = Stopwatch.GetTimestamp();
        update.Update(FirstParameter, EndParameter);
        AddBusy(t0);
        Trace?.Add((t0, Stopwatch.GetTimestamp(), 'U', Index));
        PrepareWeights(forward: true, backward: false);
    }

    /// <summary>Zeroes the gradients of this stage's parameters before its first backward pass of a step.</summary>
    internal void ZeroGradients()
    {
        long t0 = Stopwatch.GetTimestamp();
        IReadOnlyList<Parameter> parameters = _model.Parameters;
        for (int i = FirstParameter; i < EndParameter; i++)
        {
            parameters[i].Gradient.Span.Clear();
        }

        AddBusy(t0);
        Trace?.Add((t0, Stopwatch.GetTimestamp(), 'Z', Index));
    }

    /// <summary>
    /// Adds the weight gradients of all micro-batches at once, after the stage's last backward pass
    /// (<see cref="FinishBackward"/>, which schedulers call after handing that pass's input gradient
    /// upstream, so the upstream stage works on its last micro-batch and its own flush while this one flushes).
    /// </summary>
    private void FlushDeferredGradients()
    {
        long t0 = Stopwatch.GetTimestamp();
        LayerContext context = BackwardContext();
        var perMicroBatch = new LayerState[_states.Length];
        for (int layer = Start; layer < End; layer++)
        {
            for (int m = 0; m < _states.Length; m++)
            {
                perMicroBatch[m] = _states[m][layer - Start];
            }

            _model.Layers[layer].FlushDeferredGradients(perMicroBatch, context);
        }

        AddBusy(t0);
        Trace?.Add((t0, Stopwatch.GetTimestamp(), 'W', 0));
    }

    /// <summary>
    /// Gets or sets whether weight gradients wait for <see cref="FlushDeferredGradients"/> (the default)
    /// or are added in each micro-batch's backward pass before its input gradient goes upstream (GPipe's
    /// own schedule, which its bubble formula describes).
    /// </summary>
    internal bool DeferWeightGradients { get; set; } = true;

    /// <summary>Stage 0 never sends a gradient further up, so its layers skip what only that would need.</summary>
    private LayerContext BackwardContext() =>
        new(_model.Options, true, DeferWeightGradients: DeferWeightGradients, CacheWeightPanels: true, SkipInputGradient: Start == 0);

    /// <summary>The layer whose input gradient is never computed (the model's first trainable layer, in stage 0), or −1.</summary>
    private int SkippedInputGradientLayer() =>
        Start == 0 && _model.FirstTrainable < End ? _model.FirstTrainable : -1;

    private void AddBusy(long start) => Interlocked.Add(ref _busyTicks, Stopwatch.GetTimestamp() - start);
}
