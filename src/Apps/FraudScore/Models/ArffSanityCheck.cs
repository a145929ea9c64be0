namespace Flow.Apps.FraudScore.Models;

/// <summary>Placeholder replaced below.</summary>
internal static class ArffSanityCheck
{
    public static Task<int> RunAsync(string path, TextWriter output, CancellationToken cancellationToken) => throw new NotImplementedException(path);
}
