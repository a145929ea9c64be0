using Flow.Pipeline.Internal;

namespace Flow.Pipeline;

/// <summary>Operations that apply only to some item types.</summary>
public static class StageHandleExtensions
{
    /// <summary>Splits batches back into items, each with its own sequence number and source timestamp.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="batches">A stage output of arrays.</param>
    /// <param name="options">Name and capacity.</param>
    /// <returns>The items.</returns>
    public static StageHandle<T> Unbatch<T>(this StageHandle<T[]> batches, StageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        return batches.Builder.AddUnbatch(batches, options);
    }
}
