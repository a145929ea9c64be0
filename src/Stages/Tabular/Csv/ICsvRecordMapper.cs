using Sylvan.Data.Csv;

namespace Flow.Stages.Tabular.Csv;

/// <summary>Turns CSV records into typed items for <see cref="CsvSource{T}"/>.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <remarks>
/// One instance serves one reader at a time; it may cache column ordinals in <see cref="Bind"/>. After a record that
/// breaks the CSV syntax (an unclosed quote) the source rejects that line and goes on with a new reader from the next
/// line, without a header, so <see cref="Map"/> may be handed a reader that <see cref="Bind"/> never saw: map by the
/// ordinals <see cref="Bind"/> found, not by column name.
/// </remarks>
public interface ICsvRecordMapper<out T>
{
    /// <summary>Checks the header and remembers where each column is.</summary>
    /// <param name="reader">The reader, positioned before the first record.</param>
    /// <exception cref="FormatException">A required column is missing; the message names it.</exception>
    void Bind(CsvDataReader reader);

    /// <summary>Maps the current record.</summary>
    /// <param name="reader">The reader, positioned on a record.</param>
    /// <returns>The item.</returns>
    /// <exception cref="FormatException">The record is malformed; the message names the field and the cause. The record is rejected and reading goes on.</exception>
    T Map(CsvDataReader reader);
}
