using System.ComponentModel;
using System.Text.Json;
using Flow.Neural;
using Flow.Neural.Data;
using Flow.Pipeline;
using Flow.Stages.Audio;
using Flow.Stages.Inference;
using Flow.Stages.Video;

namespace Flow.Cli;

/// <summary>
/// Turns an exception that escaped a command into what the user sees: one line for a mistake the user can fix (a missing
/// or malformed file, a bad option value, a missing tool), the whole exception for anything else (a bug).
/// </summary>
internal static class CliErrors
{
    /// <summary>Exit code of a failure the user can fix.</summary>
    public const int UserError = 2;

    /// <summary>Exit code of an unexpected failure (a bug): EX_SOFTWARE of sysexits.h.</summary>
    public const int InternalError = 70;

    /// <summary>Exit code after Ctrl+C / SIGTERM stopped a command: 128 + SIGINT.</summary>
    public const int Cancelled = 130;

    /// <summary>
    /// The one-line message for a failure the user can fix, or <see langword="null"/> when the exception is a bug. Wrappers
    /// (a failed pipeline stage, a task's aggregate, reflection) are looked through to the exception that says what went wrong
    /// (<see cref="ErrorMessages.Cause"/>).
    /// </summary>
    /// <param name="exception">The exception that escaped the command.</param>
    /// <returns>The cause's message as one line (<see cref="ErrorMessages.OneLine"/>); or null.</returns>
    public static string? Describe(Exception exception)
    {
        Exception cause = ErrorMessages.Cause(exception);
        return cause switch
        {
            VideoSourceException or OnnxModelException or ModelFormatException or IdxFormatException or AudioInputException
                or FileNotFoundException or DirectoryNotFoundException or IOException or InvalidDataException or FormatException
                or ArgumentException or InvalidOperationException or UnauthorizedAccessException or Win32Exception
                or DllNotFoundException or JsonException => ErrorMessages.OneLine(cause),
            _ => null,
        };
    }
}
