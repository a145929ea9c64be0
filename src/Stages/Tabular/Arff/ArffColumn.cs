namespace Flow.Stages.Tabular.Arff;

/// <summary>One attribute (column) of an ARFF file.</summary>
/// <param name="Name">The attribute's name.</param>
/// <param name="NominalValues">The allowed values of a nominal attribute; empty for a numeric one.</param>
public sealed record ArffColumn(string Name, IReadOnlyList<string> NominalValues)
{
    /// <summary>Whether the attribute is numeric.</summary>
    public bool IsNumeric => NominalValues.Count == 0;
}
