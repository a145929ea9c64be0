namespace Flow.Apps.SpeechRec;

/// <summary>
/// A command-line tool the speech app runs (<c>espeak-ng</c>, <c>pocketsphinx_continuous</c>, <c>pocketsphinx_batch</c>)
/// is missing or failed. The message is one line naming the tool and the cause (or what to install). An
/// <see cref="InvalidOperationException"/>, so the <c>flow</c> command line's own handler also prints it as one line
/// if it ever escapes a command.
/// </summary>
internal sealed class ExternalToolException : InvalidOperationException
{
    public ExternalToolException(string message)
        : base(message)
    {
    }

    public ExternalToolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The tool could not be started (<see cref="System.ComponentModel.Win32Exception"/>: no such file on PATH or at the path).</summary>
    /// <param name="program">The program as it was run: a name looked up on PATH, or a path.</param>
    /// <param name="defaultProgram">The tool's usual name (a name equal to it was looked up on PATH).</param>
    /// <param name="package">The Debian package that installs it.</param>
    /// <param name="cause">The start failure.</param>
    public static ExternalToolException NotFound(string program, string defaultProgram, string package, Exception cause) => new(
        program == defaultProgram
            ? $"{defaultProgram} not found on PATH (apt-get install {package}, or run scripts/setup.sh)"
            : $"{defaultProgram} not found at '{program}' (apt-get install {package}, or run scripts/setup.sh)",
        cause);
}
