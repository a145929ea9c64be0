namespace Flow.Apps.FraudScore.Data;

/// <summary>A transaction's score, as produced to the scores and alerts topics.</summary>
/// <param name="TransactionId">The transaction.</param>
/// <param name="CardId">Its card.</param>
/// <param name="Timestamp">Its time (UTC).</param>
/// <param name="Amount">Its amount.</param>
/// <param name="Probability">The model's fraud probability.</param>
/// <param name="Alert">Whether the probability reached the threshold.</param>
/// <param name="Model">The model kind.</param>
public sealed record TransactionScore(long TransactionId, long CardId, DateTime Timestamp, float Amount, float Probability, bool Alert, string Model);
