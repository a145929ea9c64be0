namespace Flow.Stages.Tabular.Csv;

/// <summary>A CSV record that could not be turned into an item.</summary>
/// <param name="File">The CSV file.</param>
/// <param name="Line">The record's 1-based line number in the file: the header is line 1, the first record line 2 (a quoted field spanning lines counts as one line).</param>
/// <param name="Reason">Why it was rejected, in one line.</param>
/// <param name="Record">The record's raw text, without its line ending.</param>
public sealed record CsvRejectedRow(string File, long Line, string Reason, string Record)
{
    /// <summary>Formats the rejection as one line: <c>file:line: reason | record</c>.</summary>
    /// <returns>The line.</returns>
    public override string ToString() => $"{File}:{Line}: {Reason} | {Record}";
}
