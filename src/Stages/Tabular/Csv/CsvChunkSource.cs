using System.Runtime.CompilerServices;
using Flow.Pipeline;
using Flow.Stages.Tabular.Csv.Internal;

namespace Flow.Stages.Tabular.Csv;

/// <summary>
/// A pipeline source that reads a CSV file with Sylvan.Data.Csv like <see cref="CsvSource{T}"/>, but
/// emits arrays of up to <see cref="CsvSourceOptions.ChunkSize"/> items in file order. A pipeline hop
/// costs a fraction of a microsecond per item, so at hundreds of thousands of records per second
/// moving one array per chunk instead of one item per record is what keeps the hops out of the
/// profile. Rejects, line numbers and pacing behave as in <see cref="CsvSource{T}"/>; under pacing
/// the records already due are emitted before the source waits, so chunks never add pacing delay.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class CsvChunkSource<T> : ISourceStage<T[]>, IDisposable
{
    private readonly CsvRecordReader<T> _records;

    /// <summary>Creates the source.</summary>
    /// <param name="options">File, delimiter, reject file, pacing and chunk size; a snapshot is taken.</param>
    /// <param name="mapper">Maps records to items.</param>
    /// <param name="eventTime">The item's event time; required when <see cref="CsvSourceOptions.ReplaySpeed"/> is set.</param>
    /// <param name="onRejected">Called for every rejected record, on the source's thread.</param>
    /// <exception cref="ArgumentException">Pacing was asked for without an event-time selector, or no path was set.</exception>
    public CsvChunkSource(CsvSourceOptions options, ICsvRecordMapper<T> mapper, Func<T, DateTime>? eventTime = null, Action<CsvRejectedRow>? onRejected = null)
    {
        _records = new CsvRecordReader<T>(options, mapper, eventTime, onRejected);
    }

    /// <summary>Records read so far (valid and rejected; the header is not counted).</summary>
    public long RowsRead => _records.RowsRead;

    /// <summary>Records rejected so far.</summary>
    public long RowsRejected => _records.RowsRejected;

    /// <summary>
    /// The <see cref="StageContext.TimeProvider"/> timestamp at which reading started; under pacing a
    /// record is due at this instant plus its event-time offset from the first record divided by the speed.
    /// </summary>
    public long StartTimestamp => _records.StartTimestamp;

    /// <inheritdoc />
    /// <exception cref="FileNotFoundException">The CSV file does not exist.</exception>
    /// <exception cref="FormatException">The header lacks a column the mapper needs; the message names the file.</exception>
    public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        _records.Open(context);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<T[]> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int size = _records.Options.ChunkSize;
        var chunk = new T[size];
        int count = 0;
        _records.Start();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!_records.TryReadNext(out var item))
            {
                break;
            }

            var wait = _records.DueIn(item);
            if (wait > TimeSpan.Zero)
            {
                // Everything read so far is due now: hand it over before sleeping.
                if (count > 0)
                {
                    yield return chunk[..count];
                    count = 0;
                }

                await Task.Delay(wait, _records.Clock, cancellationToken).ConfigureAwait(false);
            }

            chunk[count++] = item;
            if (count == size)
            {
                yield return chunk;
                chunk = new T[size];
                count = 0;
            }
        }

        if (count > 0)
        {
            yield return chunk[..count];
        }
    }

    /// <inheritdoc />
    public ValueTask CloseAsync(CancellationToken cancellationToken) => _records.CloseAsync();

    /// <summary>Releases the file handles if the pipeline did not close the source.</summary>
    public void Dispose() => _records.Dispose();
}
