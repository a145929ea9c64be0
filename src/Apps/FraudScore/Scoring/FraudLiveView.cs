using Flow.Pipeline;

namespace Flow.Apps.FraudScore.Scoring;

/// <summary>Runs a fraud pipeline, drawing Flow.Pipeline's live view when asked to.</summary>
internal static class FraudLiveView
{
    /// <summary>
    /// Runs the pipeline. Cancellation (Ctrl+C, SIGTERM) requests a graceful stop: sources stop,
    /// what was already read is scored and delivered, so a Kafka consumer commits it before leaving.
    /// </summary>
    public static async Task<PipelineResult> RunAsync(Pipeline.Pipeline pipeline, TextWriter? liveOutput, CancellationToken cancellationToken)
    {
        var run = pipeline.Start(CancellationToken.None);
        using var registration = cancellationToken.Register(run.RequestStop);
        if (liveOutput is null)
        {
            return await run.Completion.ConfigureAwait(false);
        }

        // The summary prints the report (with the fraud counts), so the view only draws while running.
        return await LiveView.RunAsync(run, new LiveViewOptions { Output = liveOutput, WriteReport = false }).ConfigureAwait(false);
    }
}
