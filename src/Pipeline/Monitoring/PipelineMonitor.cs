using Flow.Pipeline.Internal;

namespace Flow.Pipeline;

/// <summary>Live figures of a running pipeline, for the live view or your own dashboards.</summary>
public sealed class PipelineMonitor
{
    private readonly IReadOnlyList<Node> _nodes;
    private readonly TimeProvider _time;
    private long _started;
    private long _ended;

    internal PipelineMonitor(string pipelineName, IReadOnlyList<Node> nodes, TimeProvider time)
    {
        PipelineName = pipelineName;
        _nodes = nodes;
        _time = time;
    }

    /// <summary>The pipeline's name.</summary>
    public string PipelineName { get; }

    /// <summary>Whether the run has ended.</summary>
    public bool IsCompleted => Volatile.Read(ref _ended) != 0;

    /// <summary>The figures of every stage now.</summary>
    /// <returns>A snapshot; empty figures before the run starts.</returns>
    public PipelineSnapshot Snapshot()
    {
        long now = _time.GetTimestamp();
        long started = Volatile.Read(ref _started);
        long ended = Volatile.Read(ref _ended);
        if (started == 0 || _nodes.Any(n => n.Metrics is null))
        {
            return new PipelineSnapshot(PipelineName, [], TimeSpan.Zero);
        }

        var stages = _nodes.Select(n => n.Metrics.Snapshot(now)).ToArray();
        return new PipelineSnapshot(PipelineName, stages, _time.GetElapsedTime(started, ended != 0 ? ended : now));
    }

    internal void MarkStarted(long timestamp) => Volatile.Write(ref _started, timestamp);

    internal void MarkEnded(long timestamp) => Volatile.Write(ref _ended, timestamp);
}
