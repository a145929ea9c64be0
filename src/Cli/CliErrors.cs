using System.ComponentModel;
using System.Reflection;
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
    /// (a failed pipeline stage, a task's aggregate, reflection) are looked through to the exception that says what went wrong.
    /// </summary>
    /// <param name="exception">The exception that escaped the command.</param>
    /// <returns>The first line of the cause's message, without ArgumentException's "(Parameter 'x')" suffix; or null.</returns>
    public static string? Describe(Exception exception)
    {
        Exception cause = Unwrap(exception);
        return cause switch
        {
            VideoSourceException or OnnxModelException or ModelFormatException or IdxFormatException or AudioInputException
                or FileNotFoundException or DirectoryNotFoundException or IOException or InvalidDataException or FormatException
                or ArgumentException or InvalidOperationException or UnauthorizedAccessException or Win32Exception
                or DllNotFoundException or JsonException => FirstLine(cause),
            _ => null,
        };
    }

    /// <summary>The exception inside the wrappers that only say where something failed.</summary>
    /// <param name="exception">The exception that escaped the command.</param>
    /// <returns>The innermost cause.</returns>
    public static Exception Unwrap(Exception exception)
    {
        Exception current = exception;
        while (true)
        {
            Exception? inner = current switch
            {
                StageFailedException { InnerException: { } cause } => cause,
                TargetInvocationException { InnerException: { } cause } => cause,
                AggregateException aggregate when aggregate.Flatten().InnerExceptions is [var only] => only,
                _ => null,
            };
            if (inner is null)
            {
                return current;
            }

            current = inner;
        }
    }

    private static string FirstLine(Exception exception)
    {
        string message = exception.Message;
        int newline = message.IndexOfAny(['\r', '\n']);
        message = newline < 0 ? message : message[..newline];
        return exception is ArgumentException { ParamName: { } name }
            ? message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal)
            : message;
    }
}
