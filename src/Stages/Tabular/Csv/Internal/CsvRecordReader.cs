using System.Text;
using Flow.Pipeline;
using Sylvan.Data.Csv;

namespace Flow.Stages.Tabular.Csv.Internal;

/// <summary>
/// The engine shared by <see cref="CsvSource{T}"/> (one item at a time) and <see cref="CsvChunkSource{T}"/>
/// (arrays of items): opens the file, maps records, rejects malformed ones with line and reason,
/// and computes when an item is due under pacing. Used by one thread at a time.
/// </summary>
/// <remarks>
/// A record that breaks the CSV syntax (an unclosed quote swallows the rest of the file) stops a Sylvan reader for
/// good. The reader then rejects the physical line that record starts on and goes on with a new Sylvan reader (no
/// header) from the next physical line, so one broken quote costs one line, not the rest of the file. To find that
/// line it reads the current segment again up to the broken record, which costs nothing while the file is well formed.
/// </remarks>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class CsvRecordReader<T> : IDisposable
{
    private const int BufferSize = 1 << 16;

    private readonly CsvSourceOptions _options;
    private readonly ICsvRecordMapper<T> _mapper;
    private readonly Func<T, DateTime>? _eventTime;
    private readonly Action<CsvRejectedRow>? _onRejected;
    private TimeProvider _clock = TimeProvider.System;
    private CsvDataReader? _reader;
    private long _segmentOffset;
    private long _segmentRecordBase;
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

        CsvDataReader reader;
        try
        {
            reader = CsvDataReader.Create(path, ReaderOptions(hasHeaders: true));
        }
        catch (CsvFormatException e)
        {
            throw new FormatException($"{path}:1: malformed CSV header ({e.Message})", e);
        }

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
    /// <returns><see langword="false"/> at the end of the file.</returns>
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
                Interlocked.Increment(ref _rowsRead);
                reader = Resynchronize(e);
                if (reader is null)
                {
                    break;
                }

                continue;
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
                Reject(_segmentRecordBase + reader.RowNumber + 1, e.Message, RawRecord(reader));
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

    private CsvDataReaderOptions ReaderOptions(bool hasHeaders) =>
        new() { Delimiter = _options.Delimiter, HasHeaders = hasHeaders, BufferSize = BufferSize };

    /// <summary>A reader over the file from <paramref name="offset"/> (a byte offset just after a line feed, or 0).</summary>
    private CsvDataReader OpenSegment(long offset)
    {
        if (offset == 0)
        {
            return CsvDataReader.Create(_options.Path, ReaderOptions(hasHeaders: true));
        }

        var stream = new FileStream(_options.Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        stream.Seek(offset, SeekOrigin.Begin);
        var text = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: BufferSize);
        return CsvDataReader.Create(text, ReaderOptions(hasHeaders: false));
    }

    /// <summary>
    /// Rejects the physical line on which the broken record starts and opens a reader after it; returns
    /// <see langword="null"/> (and ends) when that line is the file's last.
    /// </summary>
    private CsvDataReader? Resynchronize(CsvFormatException error)
    {
        long record = _segmentRecordBase + error.RowNumber;
        long linesBefore = LinesBeforeRecord(error.RowNumber);
        var (raw, next) = FindLine(_segmentOffset, linesBefore);
        string reason = error is CsvRecordTooLargeException
            ? $"malformed CSV (a record longer than {BufferSize} characters: most likely an unclosed quote)"
            : $"malformed CSV ({error.Message.TrimEnd('.')})";
        Reject(record + 1, reason, raw);
        _reader!.Dispose();
        _reader = null;
        if (next is null)
        {
            _ended = true;
            return null;
        }

        _segmentOffset = next.Value;
        _segmentRecordBase = record;
        _reader = OpenSegment(_segmentOffset);
        return _reader;
    }

    /// <summary>Counts the line feeds of the current segment before its record <paramref name="segmentRecord"/>, reading it again.</summary>
    private long LinesBeforeRecord(int segmentRecord)
    {
        // The header is one physical line; quoted fields may hold line feeds, so the records read before are counted as they are.
        long lines = _segmentOffset == 0 ? 1 : 0;
        using var again = OpenSegment(_segmentOffset);
        for (int i = 1; i < segmentRecord && again.Read(); i++)
        {
            lines += again.GetRawRecordSpan().Count('\n');
        }

        return lines;
    }

    /// <summary>
    /// Skips <paramref name="lines"/> line feeds from byte <paramref name="offset"/> and returns the physical line there
    /// (without its line ending, at most <see cref="BufferSize"/> bytes of it) and the offset of the line after it (null at the end).
    /// </summary>
    private (string Raw, long? Next) FindLine(long offset, long lines)
    {
        using var stream = new FileStream(_options.Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        stream.Seek(offset, SeekOrigin.Begin);
        var buffer = new byte[BufferSize];
        var line = new MemoryStream();
        long position = offset;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            while (lines > 0 && !span.IsEmpty)
            {
                int feed = span.IndexOf((byte)'\n');
                if (feed < 0)
                {
                    position += span.Length;
                    span = default;
                    break;
                }

                position += feed + 1;
                span = span[(feed + 1)..];
                lines--;
            }

            if (lines > 0 || span.IsEmpty)
            {
                continue;
            }

            int end = span.IndexOf((byte)'\n');
            var part = end < 0 ? span : span[..end];
            line.Write(part[..Math.Min(part.Length, (int)Math.Max(0, BufferSize - line.Length))]);
            position += part.Length;
            if (end >= 0)
            {
                return (Decode(line), position + 1 < stream.Length ? position + 1 : null);
            }
        }

        return (Decode(line), null);

        static string Decode(MemoryStream bytes) => Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length).TrimEnd('\r');
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
