namespace Flow.Apps.FraudScore.Models;

/// <summary>Settings of <c>flow fraud train</c>.</summary>
public sealed class FraudTrainingSettings
{
    /// <summary>The transaction CSV to train on (time-ordered, labelled).</summary>
    /// <value>The default is <c>tx.csv</c>.</value>
    public string InputPath { get; set; } = "tx.csv";

    /// <summary>The dead-letter file: one line per malformed row of <see cref="InputPath"/> (<c>file:line: reason | raw record</c>).</summary>
    /// <value>The default is <see langword="null"/>: <c>&lt;InputPath&gt;.rejected.txt</c>.</value>
    public string? RejectPath { get; set; }

    /// <summary>The folder the models and <c>manifest.json</c> are written to.</summary>
    /// <value>The default is <c>models/fraud</c>.</value>
    public string OutputFolder { get; set; } = "models/fraud";

    /// <summary>Which model kinds to train (<see cref="FraudModelKind"/>).</summary>
    /// <value>The default is all of them.</value>
    public IReadOnlyList<string> Kinds { get; set; } = FraudModelKind.All;

    /// <summary>The fraction of rows, oldest first, used for training.</summary>
    /// <value>The default is 0.7; the next <see cref="ValidationFraction"/> choose the threshold, the rest is the test period.</value>
    public double TrainFraction { get; set; } = 0.7;

    /// <summary>The fraction of rows after the training period used to choose the threshold.</summary>
    /// <value>The default is 0.1.</value>
    public double ValidationFraction { get; set; } = 0.1;

    /// <summary>The precision the alert threshold is chosen for, on the validation period.</summary>
    /// <value>The default is 0.9.</value>
    public double TargetPrecision { get; set; } = 0.9;

    /// <summary>Boosting rounds of the tree models.</summary>
    /// <value>The default is 200.</value>
    public int Trees { get; set; } = 200;

    /// <summary>Epochs of the MLP.</summary>
    /// <value>The default is 3.</value>
    public int Epochs { get; set; } = 3;

    /// <summary>The seed of every trainer.</summary>
    /// <value>The default is 1.</value>
    public int Seed { get; set; } = 1;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (TrainFraction is <= 0 or >= 1 || ValidationFraction is <= 0 or >= 1 || TrainFraction + ValidationFraction >= 1)
        {
            throw new ArgumentException(
                FormattableString.Invariant($"TrainFraction ({TrainFraction}) and ValidationFraction ({ValidationFraction}) must each be in (0, 1) and sum to less than 1, to leave a test period"),
                nameof(TrainFraction));
        }

        if (TargetPrecision is <= 0 or > 1)
        {
            throw new ArgumentException("--target-precision must be in (0, 1]", nameof(TargetPrecision));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Trees, nameof(Trees));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Epochs, nameof(Epochs));
        foreach (var kind in Kinds)
        {
            if (!FraudModelKind.All.Contains(kind))
            {
                throw new ArgumentException($"unknown model kind '{kind}' (choose from {string.Join(", ", FraudModelKind.All)})", nameof(Kinds));
            }
        }
    }
}
