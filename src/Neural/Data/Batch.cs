namespace Flow.Neural.Data;

/// <summary>A batch of labelled examples: inputs, one-hot targets and the class labels.</summary>
public sealed class Batch
{
    /// <summary>Creates a batch.</summary>
    /// <param name="inputs">The inputs; the first dimension is the batch size.</param>
    /// <param name="targets">One-hot targets, [batch, classes].</param>
    /// <param name="labels">The class index of each example.</param>
    /// <exception cref="ArgumentException">The three disagree on the batch size.</exception>
    public Batch(Tensor inputs, Tensor targets, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(labels);
        if (inputs.Dim(0) != targets.Dim(0) || labels.Length != inputs.Dim(0))
        {
            throw new ArgumentException($"inputs {inputs}, targets {targets} and {labels.Length} labels disagree on the batch size", nameof(targets));
        }

        Inputs = inputs;
        Targets = targets;
        Labels = labels;
    }

    /// <summary>Gets the inputs.</summary>
    public Tensor Inputs { get; }

    /// <summary>Gets the one-hot targets.</summary>
    public Tensor Targets { get; }

    /// <summary>Gets the class labels.</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>Gets the number of examples.</summary>
    public int Count => Labels.Count;
}
