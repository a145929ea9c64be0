using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flow.Apps.FraudScore.Data;

/// <summary>The JSON form of transactions and scores in Kafka topics (snake_case, UTF-8).</summary>
public static class TransactionJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Serializes a transaction.</summary>
    /// <param name="transaction">The transaction.</param>
    /// <returns>UTF-8 JSON.</returns>
    public static byte[] Serialize(Transaction transaction) => JsonSerializer.SerializeToUtf8Bytes(transaction, Options);

    /// <summary>Deserializes a transaction.</summary>
    /// <param name="utf8Json">UTF-8 JSON.</param>
    /// <returns>The transaction.</returns>
    /// <exception cref="FormatException">The bytes are not a valid transaction; the message says why.</exception>
    public static Transaction Deserialize(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var tx = JsonSerializer.Deserialize<Transaction>(utf8Json, Options) ?? throw new FormatException("the value is JSON null");
            if (tx.Country is null || tx.Amount <= 0 || !float.IsFinite(tx.Amount))
            {
                throw new FormatException("a country and a positive amount are required");
            }

            // The label and pattern are optional: live (unlabelled) streams leave them out.
            tx = tx.Pattern is null ? tx with { Pattern = FraudPattern.None } : tx;

            return tx.Timestamp.Kind == DateTimeKind.Utc ? tx : tx with { Timestamp = DateTime.SpecifyKind(tx.Timestamp.ToUniversalTime(), DateTimeKind.Utc) };
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a transaction: {e.Message}", e);
        }
    }

    /// <summary>Serializes a score.</summary>
    /// <param name="score">The score.</param>
    /// <returns>UTF-8 JSON.</returns>
    public static byte[] Serialize(TransactionScore score) => JsonSerializer.SerializeToUtf8Bytes(score, Options);

    /// <summary>Deserializes a score.</summary>
    /// <param name="utf8Json">UTF-8 JSON.</param>
    /// <returns>The score.</returns>
    /// <exception cref="FormatException">The bytes are not a valid score.</exception>
    public static TransactionScore DeserializeScore(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return JsonSerializer.Deserialize<TransactionScore>(utf8Json, Options) ?? throw new FormatException("the value is JSON null");
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a score: {e.Message}", e);
        }
    }
}
