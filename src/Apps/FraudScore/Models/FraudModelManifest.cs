using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flow.Apps.FraudScore.Models;

/// <summary>The <c>manifest.json</c> of a model folder: features, models, thresholds and metrics.</summary>
/// <param name="FeatureNames">The feature vector's names, in order; scoring checks them.</param>
/// <param name="TargetPrecision">The precision the thresholds were chosen for.</param>
/// <param name="TrainRows">Rows in the training period.</param>
/// <param name="ValidationRows">Rows in the validation period.</param>
/// <param name="TestRows">Rows in the test period.</param>
/// <param name="Models">The trained models.</param>
public sealed record FraudModelManifest(
    IReadOnlyList<string> FeatureNames,
    double TargetPrecision,
    long TrainRows,
    long ValidationRows,
    long TestRows,
    IReadOnlyList<FraudModelEntry> Models)
{
    /// <summary>The manifest's file name inside a model folder.</summary>
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Reads a model folder's manifest.</summary>
    /// <param name="folder">The model folder.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="FileNotFoundException">The folder has no manifest; the message says how to make one.</exception>
    /// <exception cref="InvalidDataException">The manifest is not valid JSON or lacks a required part; the message names the file and the cause.</exception>
    public static FraudModelManifest Load(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"model manifest '{path}' not found (pass --models or run 'flow fraud train')", path);
        }

        FraudModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<FraudModelManifest>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"model manifest '{path}' is not a valid manifest ({e.Message.ReplaceLineEndings(" ")}): retrain with 'flow fraud train --out {folder}'", e);
        }

        string? missing = manifest switch
        {
            null => "a manifest object",
            { FeatureNames: null } => "'feature_names'",
            { Models: null } => "'models'",
            _ when manifest.Models.Any(m => m is null || m.Kind is null || m.File is null) => "a 'kind' and 'file' for every model",
            _ => null,
        };
        return missing is null
            ? manifest!
            : throw new InvalidDataException($"model manifest '{path}' lacks {missing}: retrain with 'flow fraud train --out {folder}'");
    }

    /// <summary>Writes the manifest into a model folder.</summary>
    /// <param name="folder">The model folder.</param>
    public void Save(string folder) => File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json));

    /// <summary>Finds a model by kind.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentException">The folder has no model of that kind.</exception>
    public FraudModelEntry Get(string kind) =>
        Models.FirstOrDefault(m => string.Equals(m.Kind, kind, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"no '{kind}' model in the folder (it has: {string.Join(", ", Models.Select(m => m.Kind))})", nameof(kind));
}
