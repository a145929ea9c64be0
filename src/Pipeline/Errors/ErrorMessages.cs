using System.Reflection;

namespace Flow.Pipeline;

/// <summary>What a command shows a user for a failure: the exception that says what went wrong, as one line.</summary>
public static class ErrorMessages
{
    /// <summary>
    /// The exception inside the wrappers that only say where something failed: a failed stage
    /// (<see cref="StageFailedException"/>), reflection, a type initializer (a native library that would not load) and an
    /// <see cref="AggregateException"/> holding a single exception.
    /// </summary>
    /// <param name="exception">The exception that escaped.</param>
    /// <returns>The innermost cause (the exception itself when it wraps nothing).</returns>
    public static Exception Cause(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Exception current = exception;
        while (true)
        {
            Exception? inner = current switch
            {
                StageFailedException { InnerException: { } cause } => cause,
                TargetInvocationException { InnerException: { } cause } => cause,
                TypeInitializationException { InnerException: { } cause } => cause,
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

    /// <summary>The first line of the message, without the "(Parameter 'x')" suffix that <see cref="ArgumentException"/> adds.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>One line.</returns>
    public static string OneLine(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string message = exception.Message;
        int newline = message.IndexOfAny(['\r', '\n']);
        message = newline < 0 ? message : message[..newline];
        return exception is ArgumentException { ParamName: { } name }
            ? message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal)
            : message;
    }
}
