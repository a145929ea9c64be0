using System.Collections.Concurrent;

namespace Flow.Pipeline.Internal;

/// <summary>Shared state of one run: its clock, tokens, the first fault and the dead letters.</summary>
internal sealed class RunContext : IDisposable
{
    private readonly CancellationTokenSource _abort;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _stopOrAbort;
    private readonly ConcurrentQueue<DeadLetter> _deadLetters = new();
    private readonly Action<DeadLetter>? _deadLetterHandler;
    private Exception? _fault;

    public RunContext(PipelineOptions options, Action<DeadLetter>? deadLetterHandler, CancellationToken callerToken)
    {
        Options = options;
        Time = options.TimeProvider;
        CallerToken = callerToken;
        _deadLetterHandler = deadLetterHandler;
        _abort = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        _stopOrAbort = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token, _stop.Token);
    }

    public PipelineOptions Options { get; }

    /// <summary>Source timestamps of the timed items, by item key (for end-to-end latency at sinks).</summary>
    public KeyedRing<long> Timestamps { get; } = new(8192);

    /// <summary>The item keys of the batches in flight, by batch key (for Unbatch).</summary>
    public KeyedRing<BatchTrace> BatchTraces { get; } = new(2048);

    public TimeProvider Time { get; }

    public CancellationToken CallerToken { get; }

    /// <summary>Canceled when the caller cancels or any stage fails: every block stops.</summary>
    public CancellationToken Token => _abort.Token;

    /// <summary>Canceled on a graceful stop (or abort): sources stop pulling, the rest drains.</summary>
    public CancellationToken StopToken => _stopOrAbort.Token;

    public bool StopRequested => _stop.IsCancellationRequested;

    public Exception? Fault => Volatile.Read(ref _fault);

    public IReadOnlyCollection<DeadLetter> DeadLetters => _deadLetters;

    public void RequestStop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run has ended; stopping it is a no-op.
        }
    }

    /// <summary>Records the first fault of the run and aborts everything else. Later faults are consequences.</summary>
    public void Fail(Exception exception)
    {
        // After the caller canceled, failures are consequences of the cancellation (disposed
        // sessions, aborted reads): the run ends canceled, never faulted.
        if (CallerToken.IsCancellationRequested)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _fault, exception, null) is null)
        {
            try
            {
                _abort.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run already ended.
            }
        }
    }

    public void AddDeadLetter(DeadLetter letter)
    {
        _deadLetters.Enqueue(letter);
        _deadLetterHandler?.Invoke(letter);
    }

    public void Dispose()
    {
        _stopOrAbort.Dispose();
        _abort.Dispose();
        _stop.Dispose();
    }
}
