namespace Flow.Stages.Tabular.Scoring;

/// <summary>A chunk of items with one probability each, in the same order: the chunked counterpart of <see cref="Scored{T}"/>.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items.</param>
/// <param name="Probabilities">The probability of item <c>i</c> at index <c>i</c>; as long as <paramref name="Items"/>.</param>
public readonly record struct ScoredChunk<T>(T[] Items, float[] Probabilities)
{
    /// <summary>How many items the chunk holds.</summary>
    public int Count => Items.Length;
}
