namespace Flow.Stages.Audio;

/// <summary>
/// An audio input could not be read: missing, not a WAV file, truncated, or an unsupported encoding.
/// The message is one line naming the input and the cause.
/// </summary>
public sealed class AudioInputException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public AudioInputException()
        : this("audio input could not be read")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The one-line message.</param>
    public AudioInputException(string message)
        : base(message)
    {
        Input = string.Empty;
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    /// <param name="message">The one-line message.</param>
    /// <param name="innerException">The original error.</param>
    public AudioInputException(string message, Exception innerException)
        : base(message, innerException)
    {
        Input = string.Empty;
    }

    /// <summary>Creates the exception for an input and a cause; the message is <c>'input': cause</c>.</summary>
    /// <param name="input">The input's name (a file path, or <c>stdin</c>).</param>
    /// <param name="cause">What is wrong, in a few words.</param>
    /// <param name="innerException">The original error, if any.</param>
    public AudioInputException(string input, string cause, Exception? innerException)
        : base($"'{input}': {cause}", innerException)
    {
        Input = input;
    }

    /// <summary>The input's name (a file path, or <c>stdin</c>); empty when not known.</summary>
    public string Input { get; }
}
