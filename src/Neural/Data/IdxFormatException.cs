namespace Flow.Neural.Data;

/// <summary>An IDX file (the MNIST family's format) is missing, truncated or malformed.</summary>
public sealed class IdxFormatException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public IdxFormatException()
        : base("the IDX file could not be read")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public IdxFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying failure.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying failure.</param>
    public IdxFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
