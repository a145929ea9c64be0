using System.Runtime.ExceptionServices;
using System.Text;
using Flow.Pipeline.Internal;

namespace Flow.Pipeline;

/// <summary>
/// A validated graph of stages, built by <see cref="PipelineBuilder"/>. It runs once.
/// </summary>
public sealed class Pipeline
{
    private readonly PipelineOptions _options;
    private readonly Node[] _nodes;
    private readonly Action<DeadLetter>? _deadLetterHandler;
    private int _started;

    internal Pipeline(PipelineOptions options, Node[] nodes, Action<DeadLetter>? deadLetterHandler)
    {
        _options = options;
        _nodes = nodes;
        _deadLetterHandler = deadLetterHandler;
        Monitor = new PipelineMonitor(options.Name, nodes, options.TimeProvider);
    }

    /// <summary>The pipeline's name.</summary>
    public string Name => _options.Name;

    /// <summary>The stage names, in the order they were added.</summary>
    public IReadOnlyList<string> StageNames => _nodes.Select(n => n.Name).ToArray();

    /// <summary>
    /// The most items the pipeline can hold at once: the sum of its stages' capacities. A producer
    /// faster than the pipeline waits (or its items are shed) rather than growing memory past this.
    /// </summary>
    public long MaxItemsInFlight => _nodes.Sum(n => n.Capacity);

    /// <summary>Live figures of the run (empty before it starts).</summary>
    public PipelineMonitor Monitor { get; }

    /// <summary>Runs the pipeline to the end.</summary>
    /// <param name="cancellationToken">Cancels the run: in-flight items are abandoned and the task ends canceled (not faulted).</param>
    /// <returns>The result.</returns>
    /// <exception cref="StageFailedException">A stage failed to open, process an item (under <see cref="ErrorPolicy.Stop"/>) or close.</exception>
    /// <exception cref="OperationCanceledException">The token was canceled.</exception>
    /// <exception cref="InvalidOperationException">The pipeline has already run.</exception>
    public Task<PipelineResult> RunAsync(CancellationToken cancellationToken = default) => Start(cancellationToken).Completion;

    /// <summary>Starts the pipeline and returns a handle with its monitor, a graceful stop and its result.</summary>
    /// <param name="cancellationToken">Cancels the run (abandons in-flight items).</param>
    /// <returns>The running pipeline.</returns>
    /// <exception cref="InvalidOperationException">The pipeline has already run.</exception>
    public PipelineRun Start(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException($"pipeline '{Name}' has already run; a pipeline runs once, build a new one");
        }

        var context = new RunContext(_options, _deadLetterHandler, cancellationToken);
        // Unless asked to, stages do not inherit the caller's ExecutionContext: every block task
        // would restore it, and a caller with AsyncLocal values (a host, a test runner, an ambient
        // Activity) made a trivial pipeline measure 1.9x slower than with an empty context.
        Task<PipelineResult> completion;
        if (_options.FlowExecutionContext || ExecutionContext.IsFlowSuppressed())
        {
            completion = RunCoreAsync(context);
        }
        else
        {
            using (ExecutionContext.SuppressFlow())
            {
                completion = RunCoreAsync(context);
            }
        }

        return new PipelineRun(Monitor, completion, context.RequestStop);
    }

    /// <summary>
    /// The graph as Mermaid flowchart text, each stage with its options (paste into any Mermaid viewer).
    /// </summary>
    /// <returns>The Mermaid text.</returns>
    public string ToMermaid()
    {
        var text = new StringBuilder();
        text.Append("flowchart LR\n");
        foreach (var node in _nodes)
        {
            string label = $"{node.Name}<br/><small>{node.Describe()}</small>".Replace("\"", "'", StringComparison.Ordinal);
            string shape = node.Kind == "source" ? $"([\"{label}\"])" : node is ISinkNode ? $"[/\"{label}\"/]" : $"[\"{label}\"]";
            text.Append($"  s{node.Id}{shape}\n");
        }

        foreach (var node in _nodes)
        {
            for (int port = 0; port < node.Outputs.Length; port++)
            {
                if (node.Outputs[port] is { } consumer)
                {
                    string edgeLabel = node.Outputs.Length > 1 ? $"|{port}|" : string.Empty;
                    string type = node.OutputType is { } t ? TypeName(t) : string.Empty;
                    text.Append($"  s{node.Id} -->{(edgeLabel.Length > 0 ? edgeLabel : type.Length > 0 ? $"|{type}|" : string.Empty)} s{consumer.Id}\n");
                }
            }
        }

        return text.ToString();
    }

    private static string TypeName(Type type)
    {
        if (type.IsArray)
        {
            return TypeName(type.GetElementType()!) + "[]";
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        string name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return $"{name}&lt;{string.Join(", ", type.GetGenericArguments().Select(TypeName))}&gt;";
    }

    private async Task<PipelineResult> RunCoreAsync(RunContext context)
    {
        await Task.Yield();
        using var _ = context;
        var time = context.Time;
        foreach (var node in _nodes)
        {
            node.CreateMetrics(context);
        }

        await OpenAllAsync(context).ConfigureAwait(false);

        FlowMeter? meter = null;
        ITimer? sampler = null;
        long started = time.GetTimestamp();
        try
        {
            foreach (var node in _nodes)
            {
                node.Initialize(context);
                node.Metrics.Start(started);
            }

            foreach (var node in _nodes)
            {
                node.Connect();
            }

            WireCompletion(context);
            meter = new FlowMeter(_options, _nodes);
            long intervalTicks = (long)(_options.SampleInterval.TotalSeconds * time.TimestampFrequency);
            sampler = time.CreateTimer(_ => Sample(intervalTicks), null, _options.SampleInterval, _options.SampleInterval);
            Monitor.MarkStarted(started);
            foreach (var node in _nodes)
            {
                node.Start();
            }

            try
            {
                await Task.WhenAll(_nodes.Select(n => n.Completion)).ConfigureAwait(false);
            }
            catch (Exception) when (context.Fault is not null || context.Token.IsCancellationRequested)
            {
                // The first fault (or the cancellation) is reported below, once.
            }
        }
        finally
        {
            if (sampler is not null)
            {
                await sampler.DisposeAsync().ConfigureAwait(false);
            }

            long ended = time.GetTimestamp();
            foreach (var node in _nodes)
            {
                node.Metrics.End(ended);
            }

            Monitor.MarkEnded(ended);
            meter?.Dispose();
            await CloseAllAsync(context).ConfigureAwait(false);
        }

        if (context.Fault is { } fault)
        {
            ExceptionDispatchInfo.Throw(fault);
        }

        context.CallerToken.ThrowIfCancellationRequested();
        var outcome = context.StopRequested ? PipelineOutcome.Stopped : PipelineOutcome.Completed;
        return new PipelineResult(outcome, Monitor.Snapshot(), context.DeadLetters.ToArray());
    }

    private void Sample(long intervalTicks)
    {
        foreach (var node in _nodes)
        {
            node.Metrics.Sample(intervalTicks);
        }
    }

    /// <summary>
    /// A node completes when ALL its inputs have completed successfully (a merge waits for every
    /// input, not the first). A node that faults unexpectedly fails the run, named after it.
    /// </summary>
    private void WireCompletion(RunContext context)
    {
        foreach (var node in _nodes)
        {
            if (node.Inputs.Count > 0)
            {
                var target = node;
                Task.WhenAll(node.Inputs.Select(n => n.Completion)).ContinueWith(
                    t =>
                    {
                        if (t.IsCompletedSuccessfully)
                        {
                            target.Complete();
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }

            var failing = node;
            node.Completion.ContinueWith(
                t =>
                {
                    var error = t.Exception!.InnerExceptions[0];
                    context.Fail(error as StageFailedException ?? new StageFailedException(failing.Name, StagePhase.Process, null, error));
                },
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    /// <summary>Opens every stage at once (models load in parallel). If one fails, the opened ones are closed and nothing runs.</summary>
    private async Task OpenAllAsync(RunContext context)
    {
        var opens = _nodes.Select(n => n.OpenAsync(context).AsTask()).ToArray();
        try
        {
            await Task.WhenAll(opens).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await CloseAllAsync(context).ConfigureAwait(false);
            context.CallerToken.ThrowIfCancellationRequested();
            for (int i = 0; i < opens.Length; i++)
            {
                if (opens[i].IsFaulted)
                {
                    throw new StageFailedException(_nodes[i].Name, StagePhase.Open, null, opens[i].Exception!.InnerExceptions[0]);
                }
            }

            throw;
        }
    }

    private async Task CloseAllAsync(RunContext context)
    {
        foreach (var node in _nodes)
        {
            if (!node.NeedsClose)
            {
                continue;
            }

            try
            {
                await node.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A close failure is reported as the run's fault unless one happened already.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                context.Fail(new StageFailedException(node.Name, StagePhase.Close, null, ex));
            }
        }
    }
}
