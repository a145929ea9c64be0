namespace Flow.Stages.Inference;

/// <summary>
/// An ONNX model cannot be used: the file is missing or unreadable, or its inputs or outputs do not
/// match what the stage needs. The message names the file and the cause.
/// </summary>
public sealed class OnnxModelException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelPath">The model file.</param>
    /// <param name="message">What is wrong, naming the file.</param>
    /// <param name="innerException">The original error, if any.</param>
    public OnnxModelException(string modelPath, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ModelPath = modelPath;
    }

    /// <summary>The model file.</summary>
    public string ModelPath { get; }
}
