using System.Runtime.CompilerServices;
using System.Text;
using Flow.Pipeline;
using Sylvan.Data.Csv;

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
    private readonly CsvSourceOptions _options;
    private readonly ICsvRecordMapper<T> _mapper;
    private readonly Func<T, DateTime>? _eventTime;
    private readonly Action<CsvRejectedRow>? _onRejected;
    private TimeProvider _clock = TimeProvider.System;
    private CsvDataReader? _reader;
    private StreamWriter? _rejects;
    private long _rowsRead;
    private long _rowsRejected;

    /// <summary>Creates the source.</summary>
    /// <param name="options">File, delimiter, reject file and pacing; a snapshot is taken.</param>
    /// <param name="mapper">Maps records to items.</param>
    /// <param name="eventTime">The item's event time; required when <see cref="CsvSourceOptions.ReplaySpeed"/> is set.</param>
    /// <param name="onRejected">Called for every rejected record, on the source's thread.</param>
    /// <exception cref="ArgumentException">Pacing was asked for without an event-time selector, or no path was set.</exception>
    public CsvSource(CsvSourceOptions options, ICsvRecordMapper<T> mapper, Func<T, DateTime>? eventTime = null, Action<CsvRejectedRow>? onRejected = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mapper);
        _options = options.Clone();
        if (string.IsNullOrEmpty(_options.Path))
        {
            throw new ArgumentException("set CsvSourceOptions.Path to the CSV file to read", nameof(options));
        }

        if (_options.ReplaySpeed is not null && eventTime is null)
        {
            throw new ArgumentException("a replay speed needs an event-time selector", nameof(eventTime));
        }

        _mapper = mapper;
        _eventTime = eventTime;
        _onRejected = onRejected;
    }

    /// <summary>Records read so far (valid and rejected; the header is not counted).</summary>
    public long RowsRead => Interlocked.Read(ref _rowsRead);

    /// <summary>Records rejected so far.</summary>
    public long RowsRejected => Interlocked.Read(ref _rowsRejected);

    /// <inheritdoc />
    /// <exception cref="FileNotFoundException">The CSV file does not exist.</exception>
    /// <exception cref="FormatException">The header lacks a column the mapper needs; the message names the file.</exception>
    public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _clock = context.TimeProvider;
        string path = _options.Path;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"stage '{context.StageName}': CSV file '{path}' not found", path);
        }

        var reader = CsvDataReader.Create(path, new CsvDataReaderOptions { Delimiter = _options.Delimiter, HasHeaders = true, BufferSize = 1 << 16 });
        try
        {
            _mapper.Bind(reader);
        }
        catch (FormatException e)
        {
            reader.Dispose();
            throw new FormatException($"{path}: header: {e.Message}", e);
        }

        _reader = reader;
        if (_options.RejectPath is { } rejectPath)
        {
            string? directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(rejectPath));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            _rejects = new StreamWriter(rejectPath, append: false, new UTF8Encoding(false));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<T> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = _reader ?? throw new InvalidOperationException("the source was not opened");
        long startTimestamp = _clock.GetTimestamp();
        DateTime? firstEvent = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool more;
            try
            {
                more = reader.Read();
            }
            catch (CsvFormatException e)
            {
                // A broken quote makes the rest of the file unreadable: reject this record, then end.
                Reject(e.RowNumber + 1, $"malformed CSV: {e.Message}", string.Empty);
                yield break;
            }

            if (!more)
            {
                yield break;
            }

            Interlocked.Increment(ref _rowsRead);
            T item;
            try
            {
                item = _mapper.Map(reader);
            }
            catch (FormatException e)
            {
                // Sylvan numbers data records from 1; the header is line 1 of the file.
                Reject(reader.RowNumber + 1, e.Message, RawRecord(reader));
                continue;
            }

            if (_options.ReplaySpeed is { } speed)
            {
                DateTime eventTime = _eventTime!(item);
                firstEvent ??= eventTime;
                var due = TimeSpan.FromTicks((long)((eventTime - firstEvent.Value).Ticks / speed));
                var wait = due - _clock.GetElapsedTime(startTimestamp);
                if (wait > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(wait, _clock, cancellationToken).ConfigureAwait(false);
                }
            }

            yield return item;
        }
    }

    /// <inheritdoc />
    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        if (_reader is not null)
        {
            await _reader.DisposeAsync().ConfigureAwait(false);
            _reader = null;
        }

        if (_rejects is not null)
        {
            await _rejects.DisposeAsync().ConfigureAwait(false);
            _rejects = null;
        }
    }

    /// <summary>Releases the file handles if the pipeline did not close the source.</summary>
    public void Dispose()
    {
        _reader?.Dispose();
        _reader = null;
        _rejects?.Dispose();
        _rejects = null;
    }

    private static string RawRecord(CsvDataReader reader)
    {
        var raw = reader.GetRawRecordSpan();
        return raw.TrimEnd("\r\n").ToString();
    }

    private void Reject(long line, string reason, string record)
    {
        Interlocked.Increment(ref _rowsRejected);
        var row = new CsvRejectedRow(_options.Path, line, reason, record);
        _rejects?.WriteLine(row.ToString());
        _onRejected?.Invoke(row);
    }
}
