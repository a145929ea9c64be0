using Flow.Neural.Internal.Layers;

namespace Flow.Neural.Internal.Training;

/// <summary>
/// The weight gradients a chunked training step postpones to the end of the batch: for every layer of a model
/// that can defer them (<see cref="Layer.CreateDeferredRows"/>), the batch-wide rows its chunks' backward passes
/// leave behind, and which of the model's parameters they produce. Chunks may run on replicas of the model
/// (the same layers): each gathers into its own rows, and the gradients are then computed into this model's
/// parameters, over all rows in row order, so the result does not depend on which replica ran which chunk.
/// </summary>
internal sealed class DeferredBatch
{
    private readonly Sequential _model;

    /// <summary>Per layer of the model, its rows, or null for a layer that computes its weight gradients in its backward pass.</summary>
    private readonly DeferredRows?[] _rows;

    /// <summary>Per parameter of the model (in <see cref="Sequential.Parameters"/> order): its layer's index and its index within the layer, or layer −1 when not deferred.</summary>
    private readonly (int Layer, int Index)[] _owners;

    internal DeferredBatch(Sequential model)
    {
        _model = model;
        _rows = [.. model.Layers.Select(l => l.CreateDeferredRows())];
        var owners = new List<(int, int)>();
        for (int l = 0; l < _rows.Length; l++)
        {
            for (int j = 0; j < model.Layers[l].Parameters.Count; j++)
            {
                owners.Add(_rows[l] is null ? (-1, -1) : (l, j));
            }
        }

        _owners = [.. owners];
        IsEmpty = Array.TrueForAll(_rows, r => r is null);
    }

    /// <summary>Gets whether no layer of the model defers (the backward passes compute every gradient).</summary>
    internal bool IsEmpty { get; }

    /// <summary>Whether parameter <paramref name="parameter"/>'s gradient comes from <see cref="SetGradient"/>, not from the chunks' backward passes.</summary>
    internal bool IsDeferred(int parameter) => _owners[parameter].Layer >= 0;

    /// <summary>The granularity of the slices <see cref="SetGradient"/> computes of a deferred parameter (1 for the others).</summary>
    internal int SliceUnit(int parameter) =>
        _owners[parameter] is { Layer: >= 0 } o ? _model.Layers[o.Layer].DeferredSliceUnit(o.Index) : 1;

    /// <summary>Starts a batch of <paramref name="rows"/> rows (call before the chunks run, from one thread).</summary>
    internal void Prepare(int rows)
    {
        foreach (DeferredRows? r in _rows)
        {
            r?.Reset(rows);
        }
    }

    /// <summary>Moves the deferred inputs and output gradients of one chunk's backward pass, run on <paramref name="replica"/> with <paramref name="states"/>, to rows <paramref name="firstRow"/> on.</summary>
    internal void Collect(Sequential replica, LayerState[] states, int firstRow)
    {
        for (int l = 0; l < _rows.Length; l++)
        {
            if (_rows[l] is { } rows)
            {
                replica.Layers[l].CollectDeferred(states[l], rows, firstRow);
            }
        }
    }

    /// <summary>Sets floats [<paramref name="first"/>, +<paramref name="count"/>) of deferred parameter <paramref name="parameter"/>'s gradient (in the model this was made for) from all rows.</summary>
    internal void SetGradient(int parameter, int first, int count, ComputeOptions options)
    {
        (int layer, int index) = _owners[parameter];
        _model.Layers[layer].SetDeferredGradient(index, _rows[layer]!, first, count, options);
    }
}
