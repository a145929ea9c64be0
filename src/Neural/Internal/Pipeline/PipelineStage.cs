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

    internal int Start { get; }

    internal int End { get; }

    internal TimeSpan Busy => Stopwatch.GetElapsedTime(0, _busyTicks);

    internal void ResetBusy() => _busyTicks = 0;

    internal Tensor Forward(int microBatch, Tensor input, bool training)
    {
        long t0 = Stopwatch.GetTimestamp();
        Tensor output = _model.ForwardRange(input, _states[microBatch], Start, End, new LayerContext(_model.Options, training));
        _busyTicks += Stopwatch.GetTimestamp() - t0;
        return output;
    }

    internal Tensor Backward(int microBatch, Tensor gradOutput)
    {
        long t0 = Stopwatch.GetTimestamp();
        Tensor gradInput = _model.BackwardRange(gradOutput, _states[microBatch], Start, End, new LayerContext(_model.Options, true));
        _busyTicks += Stopwatch.GetTimestamp() - t0;
        return gradInput;
    }
}
