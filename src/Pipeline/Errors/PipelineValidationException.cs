namespace Flow.Pipeline;

/// <summary>
/// <see cref="PipelineBuilder.Build"/> found the graph invalid. The message names the stage and what to do.
/// </summary>
public sealed class PipelineValidationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="stageName">The stage at fault, or <see langword="null"/> for the whole graph.</param>
    /// <param name="message">What is wrong and how to fix it.</param>
    public PipelineValidationException(string? stageName, string message)
        : base(stageName is null ? message : $"stage '{stageName}': {message}")
    {
        StageName = stageName;
    }

    /// <summary>The stage at fault, or <see langword="null"/> when the problem is the whole graph.</summary>
    public string? StageName { get; }
}
