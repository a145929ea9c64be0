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
    }

    internal int Index { get; }

    /// <summary>Gets or sets a timeline to record into (the `pipetrace` benchmark): each call's Stopwatch
    /// start and end, its kind (F forward, B backward, P weight packing, W deferred weight gradients) and
    /// its micro-batch (for P, the stage whose weights were packed). Null, the default, records nothing.</summary>
    internal List<(long Start, long End, char Kind, int M)>? Trace { get; set; }

    internal int Start { get; }

    internal int End { get; }

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
    /// Packs <paramref name="owner"/>'s cached weights (this stage's or a neighbour's) before the
    /// micro-batches need them; the time counts as this stage's busy time, as this stage's core does it.
    /// Schedulers call it where the stage would otherwise wait (see <see cref="PrepareBackwardAfterLastForward"/>).
    /// </summary>
    internal void PrepareWeightsOf(PipelineStage owner, bool forward, bool backward)
    {
        long t0 = Stopwatch.GetTimestamp();
        int skip = owner.SkippedInputGradientLayer();
        for (int layer = owner.Start; layer < owner.End; layer++)
        {
            owner._model.Layers[layer].PrepareCachedWeights(forward, backward && layer != skip);
        }

        AddBusy(t0);
        Trace?.Add((t0, Stopwatch.GetTimestamp(), 'P', owner.Index));
    }

    /// <summary>
    /// Run by stage <paramref name="index"/> right after its last forward pass of a training step. Until
    /// the first gradient comes back up, this stage has nothing to do, while the last stage goes straight
    /// from its last forward to its first backward: so the stage before the last packs the last stage's
    /// backward weights first (then signals <paramref name="lastStageReady"/>), and every stage but the
    /// last packs its own.
    /// </summary>
    internal static void PrepareBackwardAfterLastForward(IReadOnlyList<PipelineStage> stages, int index, TaskCompletionSource lastStageReady)
    {
        int k = stages.Count;
        if (index == k - 2)
        {
            try
            {
                stages[index].PrepareWeightsOf(stages[k - 1], forward: false, backward: true);
                lastStageReady.TrySetResult();
            }
            catch (Exception ex)
            {
                // The last stage waits for this signal: fail it rather than leave it waiting.
                lastStageReady.TrySetException(ex);
                throw;
            }
        }

        if (index < k - 1 || k == 1)
        {
            stages[index].PrepareWeightsOf(stages[index], forward: false, backward: true);
        }
    }

    /// <summary>
    /// Adds the weight gradients of all micro-batches at once, after the stage's last backward pass.
    /// Schedulers call it after handing that pass's input gradient upstream, so the upstream stage
    /// works on its last micro-batch and its own flush while this one flushes.
    /// </summary>
    internal void FlushDeferredGradients()
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
