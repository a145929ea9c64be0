using Flow.Pipeline;

namespace Flow.Apps.FraudScore.Scoring;

/// <summary>Runs a fraud pipeline, drawing Flow.Pipeline's live view when asked to.</summary>
internal static class FraudLiveView
{
    public static Task<PipelineResult> RunAsync(Pipeline.Pipeline pipeline, TextWriter? liveOutput, CancellationToken cancellationToken)
    {
        if (liveOutput is null)
        {
            return pipeline.RunAsync(cancellationToken);
        }

        // The summary prints the report (with the fraud counts), so the view only draws while running.
        return LiveView.RunAsync(pipeline.Start(cancellationToken), new LiveViewOptions { Output = liveOutput, WriteReport = false });
    }
}
