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
    private int _backwardsDone;

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

    internal int Start { get; }

    internal int End { get; }

    internal TimeSpan Busy => Stopwatch.GetElapsedTime(0, _busyTicks);

    /// <summary>Starts a step: clears the busy time and the count of finished backward passes.</summary>
    internal void BeginStep()
    {
        _busyTicks = 0;
        _backwardsDone = 0;
    }

    internal Tensor Forward(int microBatch, Tensor input, bool training)
    {
        long t0 = Stopwatch.GetTimestamp();
        Tensor output = _model.ForwardRange(input, _states[microBatch], Start, End, new LayerContext(_model.Options, training, CacheWeightPanels: true));
        _busyTicks += Stopwatch.GetTimestamp() - t0;
        return output;
    }

    internal Tensor Backward(int microBatch, Tensor gradOutput)
    {
        long t0 = Stopwatch.GetTimestamp();

        // Stage 0 never sends a gradient further up, so its layers skip what only that would need.
        var context = new LayerContext(_model.Options, true, DeferWeightGradients: true, CacheWeightPanels: true, SkipInputGradient: Start == 0);
        Tensor gradInput = _model.BackwardRange(gradOutput, _states[microBatch], Start, End, context);
        if (++_backwardsDone == _states.Length)
        {
            // The stage's last backward of the step: add the weight gradients of all micro-batches at once.
            for (int layer = Start; layer < End; layer++)
            {
                var perMicroBatch = new LayerState[_states.Length];
                for (int m = 0; m < _states.Length; m++)
                {
                    perMicroBatch[m] = _states[m][layer - Start];
                }

                _model.Layers[layer].FlushDeferredGradients(perMicroBatch, context);
            }
        }

        _busyTicks += Stopwatch.GetTimestamp() - t0;
        return gradInput;
    }
}
