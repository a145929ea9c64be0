namespace Flow.Pipeline;

/// <summary>The figures of every stage of a run at one moment, and where the bottleneck is.</summary>
public sealed class PipelineSnapshot
{
    internal PipelineSnapshot(string pipelineName, IReadOnlyList<StageSnapshot> stages, TimeSpan elapsed)
    {
        PipelineName = pipelineName;
        Stages = stages;
        Elapsed = elapsed;
        Bottleneck = BottleneckAnalysis.Find(stages);
    }

    /// <summary>The pipeline's name.</summary>
    public string PipelineName { get; }

    /// <summary>The stages in the order they were added.</summary>
    public IReadOnlyList<StageSnapshot> Stages { get; }

    /// <summary>Time since the run started.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The stage that limits throughput, with the reason; <see langword="null"/> when nothing stands out.</summary>
    public Bottleneck? Bottleneck { get; }

    /// <summary>The stage with the given name.</summary>
    /// <param name="stageName">The stage's name.</param>
    /// <returns>Its snapshot.</returns>
    /// <exception cref="KeyNotFoundException">No stage has that name.</exception>
    public StageSnapshot this[string stageName]
        => Stages.FirstOrDefault(s => s.Name == stageName) ?? throw new KeyNotFoundException($"no stage named '{stageName}'");
}
