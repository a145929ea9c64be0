namespace Flow.Stages.Tabular.Csv;

/// <summary>Settings of a <see cref="CsvSource{T}"/> or a <see cref="CsvChunkSource{T}"/>.</summary>
public sealed class CsvSourceOptions
{
    private string _path = string.Empty;
    private char _delimiter = ',';
    private double? _replaySpeed;
    private int _chunkSize = 256;

    /// <summary>The CSV file to read; its first line is the header.</summary>
    /// <value>The default is empty: it must be set.</value>
    /// <exception cref="ArgumentException">The value is empty or white space.</exception>
    public string Path
    {
        get => _path;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value, nameof(Path));
            _path = value;
        }
    }

    /// <summary>The field delimiter.</summary>
    /// <value>The default is <c>','</c>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is a quote, a line break or NUL.</exception>
    public char Delimiter
    {
        get => _delimiter;
        set
        {
            if (value is '"' or '\r' or '\n' or '\0')
            {
                throw new ArgumentOutOfRangeException(nameof(Delimiter), value, "the delimiter cannot be a quote, a line break or NUL");
            }

            _delimiter = value;
        }
    }

    /// <summary>
    /// A file that receives one line per rejected record (<see cref="CsvRejectedRow.ToString"/>),
    /// created when the source opens.
    /// </summary>
    /// <value>The default is <see langword="null"/>: rejected records are only counted and reported through the callback.</value>
    public string? RejectPath { get; set; }

    /// <summary>
    /// Replays at this multiple of event time (2 = twice as fast as the events happened), using the
    /// pipeline's clock; needs an event-time selector.
    /// </summary>
    /// <value>The default is <see langword="null"/>: as fast as possible.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero, negative or not finite.</exception>
    public double? ReplaySpeed
    {
        get => _replaySpeed;
        set
        {
            if (value is { } speed && (speed <= 0 || !double.IsFinite(speed)))
            {
                throw new ArgumentOutOfRangeException(nameof(ReplaySpeed), value, "the replay speed must be a positive finite number");
            }

            _replaySpeed = value;
        }
    }

    /// <summary>
    /// The most records a <see cref="CsvChunkSource{T}"/> puts in one chunk. Under pacing a chunk is
    /// also emitted early, before the source waits for the next record's due time, so pacing never
    /// holds back records that are already due. <see cref="CsvSource{T}"/> ignores it.
    /// </summary>
    /// <value>The default is 256.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int ChunkSize
    {
        get => _chunkSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(ChunkSize));
            _chunkSize = value;
        }
    }

    /// <summary>Returns a copy, so later changes do not reach a source that was already created.</summary>
    /// <returns>The copy.</returns>
    public CsvSourceOptions Clone() => (CsvSourceOptions)MemberwiseClone();
}
