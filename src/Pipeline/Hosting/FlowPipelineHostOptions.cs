namespace Flow.Pipeline.Hosting;

/// <summary>Settings of a pipeline run as a hosted service.</summary>
public sealed class FlowPipelineHostOptions
{
    /// <summary>Whether the host stops when the pipeline ends by itself (its sources ran out, or it failed).</summary>
    /// <value>The default is <see langword="true"/>: a job that finished ends the process.</value>
    public bool StopApplicationWhenDone { get; set; } = true;

    /// <summary>Whether a failed pipeline sets the process exit code to 1.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool SetExitCodeOnFailure { get; set; } = true;
}
