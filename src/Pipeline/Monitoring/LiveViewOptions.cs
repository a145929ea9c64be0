namespace Flow.Pipeline;

/// <summary>How the live view draws.</summary>
public enum LiveViewMode
{
    /// <summary>A refreshing table when the output is an interactive terminal; plain lines otherwise.</summary>
    Auto,

    /// <summary>A refreshing table (Spectre.Console).</summary>
    Table,

    /// <summary>One plain line per refresh: for logs, pipes and <c>TERM=dumb</c>.</summary>
    Plain,

    /// <summary>Nothing while running; only the final report.</summary>
    ReportOnly,
}

/// <summary>Settings of <see cref="LiveView"/>.</summary>
public sealed class LiveViewOptions
{
    private TimeSpan _refreshInterval = TimeSpan.FromMilliseconds(500);
    private TimeSpan _plainInterval = TimeSpan.FromSeconds(2);
    private TextWriter _output = Console.Out;
    private TimeProvider _timeProvider = TimeProvider.System;

    /// <summary>How to draw.</summary>
    /// <value>The default is <see cref="LiveViewMode.Auto"/>.</value>
    public LiveViewMode Mode { get; set; } = LiveViewMode.Auto;

    /// <summary>How often the table is redrawn.</summary>
    /// <value>The default is 500 ms (about 2 times a second).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan RefreshInterval
    {
        get => _refreshInterval;
        set
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(RefreshInterval), value, "the interval must be positive");
            }

            _refreshInterval = value;
        }
    }

    /// <summary>How often a plain line is written in <see cref="LiveViewMode.Plain"/>.</summary>
    /// <value>The default is 2 s.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan PlainInterval
    {
        get => _plainInterval;
        set
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(PlainInterval), value, "the interval must be positive");
            }

            _plainInterval = value;
        }
    }

    /// <summary>Where plain lines and the final report go.</summary>
    /// <value>The default is <see cref="Console.Out"/>.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TextWriter Output
    {
        get => _output;
        set
        {
            ArgumentNullException.ThrowIfNull(value, nameof(Output));
            _output = value;
        }
    }

    /// <summary>Whether the end-of-run report is written when the run completes.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool WriteReport { get; set; } = true;

    /// <summary>The clock that paces refreshes (tests pass a fake one).</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set
        {
            ArgumentNullException.ThrowIfNull(value, nameof(TimeProvider));
            _timeProvider = value;
        }
    }
}
