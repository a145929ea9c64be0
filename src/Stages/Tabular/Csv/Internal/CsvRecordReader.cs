using System.Text;
using Flow.Pipeline;
using Sylvan.Data.Csv;

namespace Flow.Stages.Tabular.Csv.Internal;

/// <summary>
/// The engine shared by <see cref="CsvSource{T}"/> (one item at a time) and <see cref="CsvChunkSource{T}"/>
/// (arrays of items): opens the file, maps records, rejects malformed ones with line and reason,
/// and computes when an item is due under pacing. Used by one thread at a time.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class CsvRecordReader<T> : IDisposable
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
    private long _startTimestamp;
    private DateTime? _firstEvent;
    private bool _ended;

    public CsvRecordReader(CsvSourceOptions options, ICsvRecordMapper<T> mapper, Func<T, DateTime>? eventTime, Action<CsvRejectedRow>? onRejected)
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

    public CsvSourceOptions Options => _options;

    public TimeProvider Clock => _clock;

    public long RowsRead => Interlocked.Read(ref _rowsRead);

    public long RowsRejected => Interlocked.Read(ref _rowsRejected);

    /// <summary>The clock's timestamp when reading started: pacing measures due times from here.</summary>
    public long StartTimestamp => _startTimestamp;

    public void Open(StageContext context)
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
    }

    /// <summary>Marks the start of reading (the origin of pacing).</summary>
    public void Start() => _startTimestamp = _clock.GetTimestamp();

    /// <summary>Reads the next valid record; malformed ones are rejected on the way.</summary>
    /// <param name="item">The item.</param>
    /// <returns><see langword="false"/> at the end of the file (or after a record that breaks the CSV syntax).</returns>
    public bool TryReadNext(out T item)
    {
        var reader = _reader ?? throw new InvalidOperationException("the source was not opened");
        while (!_ended)
        {
            bool more;
            try
            {
                more = reader.Read();
            }
            catch (CsvFormatException e)
            {
                // A broken quote makes the rest of the file unreadable: reject this record, then end.
                Reject(e.RowNumber + 1, $"malformed CSV: {e.Message}", string.Empty);
                _ended = true;
                break;
            }

            if (!more)
            {
                _ended = true;
                break;
            }

            Interlocked.Increment(ref _rowsRead);
            try
            {
                item = _mapper.Map(reader);
                return true;
            }
            catch (FormatException e)
            {
                // Sylvan numbers data records from 1; the header is line 1 of the file.
                Reject(reader.RowNumber + 1, e.Message, RawRecord(reader));
            }
        }

        item = default!;
        return false;
    }

    /// <summary>How long to wait before emitting <paramref name="item"/> under pacing; zero when it is due (or no pacing).</summary>
    /// <param name="item">The item just read.</param>
    /// <returns>The wait; waits of 1 ms or less count as zero, since timers are not finer.</returns>
    public TimeSpan DueIn(T item)
    {
        if (_options.ReplaySpeed is not { } speed)
        {
            return TimeSpan.Zero;
        }

        DateTime eventTime = _eventTime!(item);
        _firstEvent ??= eventTime;
        var due = TimeSpan.FromTicks((long)((eventTime - _firstEvent.Value).Ticks / speed));
        var wait = due - _clock.GetElapsedTime(_startTimestamp);
        return wait > TimeSpan.FromMilliseconds(1) ? wait : TimeSpan.Zero;
    }

    public async ValueTask CloseAsync()
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
