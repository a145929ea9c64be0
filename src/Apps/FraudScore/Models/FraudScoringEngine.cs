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

    /// <summary>The engine that serves <paramref name="modelKind"/> when <paramref name="engine"/> is asked for:
    /// the tree models take it; the MLP always runs on Flow.Neural (<see cref="MlNet"/>, its only engine).</summary>
    /// <param name="modelKind">The model kind (<see cref="FraudModelKind"/>).</param>
    /// <param name="engine">The engine asked for (<c>--engine</c>).</param>
    /// <returns>The engine to load the model with.</returns>
    public static string For(string modelKind, string engine) => modelKind == FraudModelKind.Mlp ? MlNet : engine;
}
