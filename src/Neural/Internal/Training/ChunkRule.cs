using System.Numerics;

namespace Flow.Neural.Internal.Training;

/// <summary>
/// How many chunks a training step cuts a batch into so each chunk's activations fit one core's L2: ⌊batch / R⌋
/// rounded up to a power of two, R from <see cref="ChunkRunner.RowsPerChunk"/> (so a batch of 2ⁿ rows runs in chunks
/// of 2ᵐ rows, at most R), or 1 where the rule does not chunk. R is worked out again only when the example shape changes.
/// </summary>
/// <param name="model">The model whose activations and parameters the rule weighs.</param>
internal sealed class ChunkRule(Sequential model)
{
    private int[] _shape = [];
    private int _rows;

    /// <summary>The rule's chunk count for the batch <paramref name="inputs"/> (at most its rows).</summary>
    internal int Chunks(Tensor inputs)
    {
        IReadOnlyList<int> shape = inputs.Shape;
        bool same = shape.Count == _shape.Length + 1;
        for (int i = 1; same && i < shape.Count; i++)
        {
            same = shape[i] == _shape[i - 1];
        }

        if (!same)
        {
            _shape = [.. shape.Skip(1)];
            _rows = ChunkRunner.RowsPerChunk(model, _shape);
        }

        int batch = inputs.Dim(0);
        return _rows <= 0 ? 1 : Math.Min(batch, (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, batch / _rows)));
    }
}
