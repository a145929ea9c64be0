namespace Flow.Apps.SpeechRec;

/// <summary>The <c>train-keywords</c> run.</summary>
internal static class KeywordTraining
{
    public static async Task<int> RunAsync(KeywordTrainingSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await output.WriteLineAsync($"train-keywords: not available yet (would write to {settings.OutputDirectory})").ConfigureAwait(false);
        return 1;
    }
}
