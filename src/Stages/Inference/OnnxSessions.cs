using Microsoft.ML.OnnxRuntime;

namespace Flow.Stages.Inference;

/// <summary>Creates ONNX Runtime sessions with clear errors for missing or invalid model files.</summary>
public static class OnnxSessions
{
    /// <summary>Creates a session for <see cref="OnnxModelOptions.ModelPath"/> with the given thread settings.</summary>
    /// <param name="options">The model file and session settings.</param>
    /// <returns>The session; the caller disposes it.</returns>
    /// <exception cref="OnnxModelException">The file is missing or is not a model ONNX Runtime can load.</exception>
    public static InferenceSession Create(OnnxModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string path = options.ModelPath;
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new OnnxModelException(path, "no model file given (set OnnxModelOptions.ModelPath)");
        }

        if (!File.Exists(path))
        {
            throw new OnnxModelException(path, $"model file '{path}' not found (run scripts/setup.sh to fetch the bundled models, or pass an existing .onnx file)");
        }

        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpNumThreads,
            InterOpNumThreads = options.InterOpNumThreads,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = options.OptimizationLevel,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            return new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new OnnxModelException(path, $"model file '{path}' cannot be loaded by ONNX Runtime: {FirstLine(ex.Message)}", ex);
        }
    }

    /// <summary>Describes a session's inputs or outputs.</summary>
    /// <param name="metadata">The session's <see cref="InferenceSession.InputMetadata"/> or <see cref="InferenceSession.OutputMetadata"/>.</param>
    /// <returns>One entry per tensor, in declaration order.</returns>
    public static IReadOnlyList<OnnxTensorInfo> Describe(IReadOnlyDictionary<string, NodeMetadata> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.Select(kv => new OnnxTensorInfo(kv.Key, kv.Value.IsTensor ? kv.Value.Dimensions : [], kv.Value.IsTensor ? kv.Value.ElementType : typeof(object))).ToArray();
    }

    private static string FirstLine(string text)
    {
        int newline = text.IndexOfAny(['\r', '\n']);
        return newline < 0 ? text : text[..newline];
    }
}
