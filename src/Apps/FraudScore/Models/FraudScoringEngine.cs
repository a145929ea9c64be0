namespace Flow.Apps.FraudScore.Models;

/// <summary>The runtimes <c>flow fraud score --engine</c> can serve a tree model with.</summary>
public static class FraudScoringEngine
{
    /// <summary>ML.NET's <c>PredictionEngine</c> over the model's .zip file.</summary>
    public const string MlNet = "mlnet";

    /// <summary>ONNX Runtime over the .onnx file <c>flow fraud train</c> writes next to the .zip (one single-threaded session per lane).</summary>
    public const string Onnx = "onnx";

    /// <summary>Every engine.</summary>
    public static IReadOnlyList<string> All { get; } = [MlNet, Onnx];

    /// <summary>The ONNX file of a tree model file: the same name with the <c>.onnx</c> extension.</summary>
    /// <param name="modelFile">The ML.NET model file.</param>
    /// <returns>The ONNX file's path.</returns>
    public static string OnnxFileOf(string modelFile) => Path.ChangeExtension(modelFile, ".onnx");
}
