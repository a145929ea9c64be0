using System.CommandLine;

namespace Flow.Apps.SpeechRec.Benchmarks;

/// <summary>Placeholder until the benchmark lands.</summary>
internal static class SpeechBenchmark
{
    public static Command Create() => new("bench", "SpeechRec benchmarks");
}
