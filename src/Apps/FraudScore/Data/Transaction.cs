namespace Flow.Apps.FraudScore.Data;

/// <summary>One card transaction, as the simulator writes it and the scorer reads it.</summary>
/// <param name="TransactionId">A unique, increasing identifier.</param>
/// <param name="Timestamp">When the transaction happened (UTC).</param>
/// <param name="CardId">The card that paid.</param>
/// <param name="MerchantId">The merchant that was paid.</param>
/// <param name="MerchantCategory">The merchant category code (ISO 18245, e.g. 5411 for groceries).</param>
/// <param name="Country">The merchant's country (ISO 3166 alpha-2).</param>
/// <param name="Amount">The amount in the card's currency; always positive.</param>
/// <param name="IsFraud">The label: whether the simulator injected this transaction as fraud.</param>
/// <param name="Pattern">The fraud pattern that produced it (see <see cref="FraudPattern"/>), or <c>none</c>.</param>
public sealed record Transaction(
    long TransactionId,
    DateTime Timestamp,
    long CardId,
    int MerchantId,
    int MerchantCategory,
    string Country,
    float Amount,
    bool IsFraud,
    string Pattern);
