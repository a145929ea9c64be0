using Flow.Apps.FraudScore.Data;

namespace Flow.Apps.FraudScore.Features;

/// <summary>An item carrying a transaction (a CSV row, a Kafka record), with the transaction's features.</summary>
/// <typeparam name="T">The item type (it keeps source details such as a Kafka offset).</typeparam>
/// <param name="Item">The item.</param>
/// <param name="Transaction">The item's transaction.</param>
/// <param name="Features">The features (see <see cref="FraudFeatures.Names"/>), from the card's history before this transaction.</param>
public sealed record Featured<T>(T Item, Transaction Transaction, float[] Features);
