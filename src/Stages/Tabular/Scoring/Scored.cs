namespace Flow.Stages.Tabular.Scoring;

/// <summary>An item with the probability a binary classifier gave it.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Item">The item.</param>
/// <param name="Probability">The probability of the positive class, in [0, 1].</param>
public readonly record struct Scored<T>(T Item, float Probability);
