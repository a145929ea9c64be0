namespace Flow.Apps.FraudScore.Data;

/// <summary>The names of the fraud patterns the simulator injects (the <c>pattern</c> column).</summary>
public static class FraudPattern
{
    /// <summary>A legitimate transaction.</summary>
    public const string None = "none";

    /// <summary>A burst of tiny amounts at many merchants within minutes, testing whether a stolen card works.</summary>
    public const string CardTesting = "card_testing";

    /// <summary>An account takeover: a new country and a new merchant category with large amounts.</summary>
    public const string AccountTakeover = "account_takeover";

    /// <summary>Many ordinary-looking transactions in a few minutes.</summary>
    public const string HighVelocity = "high_velocity";

    /// <summary>A card that paid at a compromised merchant is later used abroad for high-value goods.</summary>
    public const string MerchantCompromise = "merchant_compromise";
}
