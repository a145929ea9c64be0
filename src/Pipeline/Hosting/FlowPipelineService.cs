using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flow.Pipeline.Hosting;

/// <summary>
/// Runs one pipeline for the lifetime of a host. On host shutdown it stops gracefully (sources
/// stop, in-flight items drain, partial batches flush); if the host's shutdown timeout expires
/// first, the run is canceled.
/// </summary>
public sealed partial class FlowPipelineService : IHostedService, IDisposable
{
    private readonly Func<Pipeline> _factory;
    private readonly FlowPipelineHostOptions _options;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly ILogger<FlowPipelineService>? _logger;
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource<PipelineResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PipelineRun? _run;

    /// <summary>Creates the service; use <see cref="FlowPipelineServiceCollectionExtensions.AddFlowPipeline"/> instead.</summary>
    /// <param name="factory">Builds the pipeline when the host starts.</param>
    /// <param name="options">Hosting settings.</param>
    /// <param name="lifetime">The host's lifetime, to stop it when the pipeline ends.</param>
    /// <param name="logger">Where start, end and failure are logged.</param>
    public FlowPipelineService(Func<Pipeline> factory, FlowPipelineHostOptions options, IHostApplicationLifetime? lifetime = null, ILogger<FlowPipelineService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(options);
        _factory = factory;
        _options = options;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>The run, once the host has started.</summary>
    public PipelineRun? Run => _run;

    /// <summary>Completes with the run's result (faults or cancels as the run does).</summary>
    public Task<PipelineResult> Completion => _result.Task;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var pipeline = _factory();
        _run = pipeline.Start(_abort.Token);
        if (_logger is not null)
        {
            LogStarted(_logger, pipeline.Name);
        }
        _ = ObserveAsync(pipeline.Name, _run);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_run is null)
        {
            return;
        }

        _run.RequestStop();
        try
        {
            await _run.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout expired: abandon what is still in flight.
            await _abort.CancelAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The failure was logged and recorded by ObserveAsync; stopping must not throw it again.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <inheritdoc />
    public void Dispose() => _abort.Dispose();

    private async Task ObserveAsync(string name, PipelineRun run)
    {
        try
        {
            var result = await run.Completion.ConfigureAwait(false);
            if (_logger is { } logger && logger.IsEnabled(LogLevel.Information))
            {
                string report = result.FormatReport();
                LogEnded(logger, name, result.Outcome, report);
            }

            _result.TrySetResult(result);
        }
        catch (OperationCanceledException)
        {
            if (_logger is not null)
            {
                LogCanceled(_logger, name);
            }

            _result.TrySetCanceled();
        }
#pragma warning disable CA1031 // The failure is logged, becomes the exit code and completes Completion.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (_logger is not null)
            {
                LogFailed(_logger, ex, name, ex.Message);
            }

            if (_options.SetExitCodeOnFailure)
            {
                Environment.ExitCode = 1;
            }

            _result.TrySetException(ex);
        }

        if (_options.StopApplicationWhenDone)
        {
            _lifetime?.StopApplication();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "pipeline '{Pipeline}' started")]
    private static partial void LogStarted(ILogger logger, string pipeline);

    [LoggerMessage(Level = LogLevel.Information, Message = "pipeline '{Pipeline}' {Outcome}\n{Report}")]
    private static partial void LogEnded(ILogger logger, string pipeline, PipelineOutcome outcome, string report);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pipeline '{Pipeline}' canceled")]
    private static partial void LogCanceled(ILogger logger, string pipeline);

    [LoggerMessage(Level = LogLevel.Error, Message = "pipeline '{Pipeline}' failed: {Message}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string pipeline, string message);
}
