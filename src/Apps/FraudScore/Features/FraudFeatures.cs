namespace Flow.Apps.FraudScore.Features;

/// <summary>The per-transaction features the fraud models read, in vector order.</summary>
public static class FraudFeatures
{
    /// <summary>The feature names, in the order of the vector.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "amount_log",
        "hour_of_day",
        "tx_count_1m",
        "tx_count_1h",
        "tx_count_24h",
        "amount_sum_1h_log",
        "small_amount_count_1h",
        "amount_zscore",
        "amount_to_card_max",
        "new_country",
        "new_category",
        "new_merchant",
        "seconds_since_last_log",
        "card_history_log",
        "merchant_category",
    ];

    /// <summary>The length of the feature vector.</summary>
    public static int Count => Names.Count;
}
