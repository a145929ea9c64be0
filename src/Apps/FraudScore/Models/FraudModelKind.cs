namespace Flow.Apps.FraudScore.Models;

/// <summary>The model kinds <c>flow fraud train</c> produces and <c>flow fraud score --model-kind</c> selects.</summary>
public static class FraudModelKind
{
    /// <summary>ML.NET LightGBM gradient-boosted trees.</summary>
    public const string LightGbm = "lightgbm";

    /// <summary>ML.NET FastTree gradient-boosted trees.</summary>
    public const string FastTree = "fasttree";

    /// <summary>A Flow.Neural multi-layer perceptron on standardized features.</summary>
    public const string Mlp = "mlp";

    /// <summary>Every kind, in the order they are trained.</summary>
    public static IReadOnlyList<string> All { get; } = [LightGbm, FastTree, Mlp];
}
