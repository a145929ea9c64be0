namespace Flow.Neural;

/// <summary>A model file could not be read: it is missing, truncated, corrupted or not a Flow.Neural model.</summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public ModelFormatException()
        : base("the model file could not be read")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public ModelFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying failure.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying failure.</param>
    public ModelFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a file.</summary>
    /// <param name="filePath">The file that failed to load.</param>
    /// <param name="cause">Why, in words.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public ModelFormatException(string filePath, string cause, Exception? innerException = null)
        : base($"model file '{filePath}': {cause}", innerException)
    {
        FilePath = filePath;
    }

    /// <summary>Gets the path (or stream name) of the file that failed to load, when known.</summary>
    public string? FilePath { get; }
}
