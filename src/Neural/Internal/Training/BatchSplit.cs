namespace Flow.Neural.Internal.Training;

/// <summary>How the parallel trainers cut a batch: data-parallel shards and pipeline micro-batches.</summary>
internal static class BatchSplit
{
    /// <summary>Part <paramref name="index"/> of <paramref name="total"/> rows cut into <paramref name="parts"/>
    /// contiguous parts whose sizes differ by at most one.</summary>
    internal static (int Start, int Count) Part(int total, int parts, int index)
    {
        int start = (int)((long)total * index / parts);
        int end = (int)((long)total * (index + 1) / parts);
        return (start, end - start);
    }

    /// <summary>Copies rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of
    /// <paramref name="source"/> into <paramref name="buffer"/>, which is (re)allocated only when its shape differs.</summary>
    internal static Tensor CopyRows(Tensor source, int start, int count, ref Tensor? buffer)
    {
        int rowSize = source.Length / source.Dim(0);
        int[] shape = [.. source.Shape];
        shape[0] = count;
        if (buffer is null || !buffer.HasShape(shape))
        {
            buffer = new Tensor(shape);
        }

        source.Data.AsSpan(start * rowSize, count * rowSize).CopyTo(buffer.Data);
        return buffer;
    }
}
