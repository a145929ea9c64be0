using System.Runtime.CompilerServices;
using Flow.Pipeline;
using Flow.Stages.Tabular.Csv.Internal;

namespace Flow.Stages.Tabular.Csv;

/// <summary>
/// A pipeline source that reads a CSV file with Sylvan.Data.Csv and maps each record to an item.
/// A malformed record is rejected (counted, written to <see cref="CsvSourceOptions.RejectPath"/> with
/// its line number and reason, and passed to the callback) and reading goes on, so every valid
/// record is still emitted. Optionally paced at a multiple of event time.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class CsvSource<T> : ISourceStage<T>, IDisposable
{
    private readonly CsvRecordReader<T> _records;

    /// <summary>Creates the source.</summary>
    /// <param name="options">File, delimiter, reject file and pacing; a snapshot is taken.</param>
    /// <param name="mapper">Maps records to items.</param>
    /// <param name="eventTime">The item's event time; required when <see cref="CsvSourceOptions.ReplaySpeed"/> is set.</param>
    /// <param name="onRejected">Called for every rejected record, on the source's thread.</param>
    /// <exception cref="ArgumentException">Pacing was asked for without an event-time selector, or no path was set.</exception>
    public CsvSource(CsvSourceOptions options, ICsvRecordMapper<T> mapper, Func<T, DateTime>? eventTime = null, Action<CsvRejectedRow>? onRejected = null)
    {
        _records = new CsvRecordReader<T>(options, mapper, eventTime, onRejected);
    }

    /// <summary>Records read so far (valid and rejected; the header is not counted).</summary>
    public long RowsRead => _records.RowsRead;

    /// <summary>Records rejected so far.</summary>
    public long RowsRejected => _records.RowsRejected;

    /// <inheritdoc />
    /// <exception cref="FileNotFoundException">The CSV file does not exist.</exception>
    /// <exception cref="FormatException">The header lacks a column the mapper needs; the message names the file.</exception>
    public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        _records.Open(context);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<T> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _records.Start();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!_records.TryReadNext(out var item))
            {
                yield break;
            }

            var wait = _records.DueIn(item);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _records.Clock, cancellationToken).ConfigureAwait(false);
            }

            yield return item;
        }
    }

    /// <inheritdoc />
    public ValueTask CloseAsync(CancellationToken cancellationToken) => _records.CloseAsync();

    /// <summary>Releases the file handles if the pipeline did not close the source.</summary>
    public void Dispose() => _records.Dispose();
}
