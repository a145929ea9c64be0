using Flow.Stages.Tabular.Training;

namespace Flow.Apps.FraudScore.Models;

/// <summary>One trained model in a model folder's manifest.</summary>
/// <param name="Kind">The model kind (<see cref="FraudModelKind"/>).</param>
/// <param name="File">The model file, relative to the folder.</param>
/// <param name="Threshold">The alert threshold, chosen on the validation period for the target precision.</param>
/// <param name="Validation">Metrics on the validation period (where the threshold was chosen).</param>
/// <param name="Test">Metrics on the held-out test period, at <paramref name="Threshold"/>.</param>
/// <param name="TrainSeconds">How long training took.</param>
public sealed record FraudModelEntry(string Kind, string File, float Threshold, BinaryEvaluation Validation, BinaryEvaluation Test, double TrainSeconds);
