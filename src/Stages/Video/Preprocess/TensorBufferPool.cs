using System.Collections.Concurrent;

namespace Flow.Stages.Video;

/// <summary>
/// Exact-length float arrays for input tensors. A model input (49k floats for BlazeFace front-128, 197k for
/// back-256) is above the large-object threshold; allocating one per frame forced a full (gen 2) collection
/// about every 8 frames. A few dozen arrays per length are kept; the rest are left to the collector.
/// </summary>
internal static class TensorBufferPool
{
    private const int MaxKeptPerLength = 32;
    private static readonly ConcurrentDictionary<int, ConcurrentQueue<float[]>> Free = new();

    /// <summary>An array of exactly <paramref name="length"/> floats; its contents are undefined.</summary>
    public static float[] Rent(int length) =>
        Free.TryGetValue(length, out var queue) && queue.TryDequeue(out var array) ? array : new float[length];

    /// <summary>Gives an array back; the caller must not touch it afterwards.</summary>
    public static void Return(float[] array)
    {
        var queue = Free.GetOrAdd(array.Length, static _ => new ConcurrentQueue<float[]>());
        if (queue.Count < MaxKeptPerLength)
        {
            queue.Enqueue(array);
        }
    }
}
