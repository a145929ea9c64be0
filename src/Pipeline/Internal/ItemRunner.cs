namespace Flow.Pipeline.Internal;

/// <summary>
/// Runs one item through a processor under the stage's error policy, recording metrics. A dropped
/// item (skip, dead letter) becomes a placeholder packet so ordered output keeps its place.
/// </summary>
internal sealed class ItemRunner<TIn, TOut>
{
    private readonly string _stage;
    private readonly ErrorPolicy _policy;
    private readonly ItemProcessor<TIn, TOut> _processor;
    private readonly StageMetrics _metrics;
    private readonly RunContext _context;
    private readonly Func<TIn, TOut>? _func;
    private readonly Action<TIn>? _action;

    public ItemRunner(string stage, ErrorPolicy policy, ItemProcessor<TIn, TOut> processor, StageMetrics metrics, RunContext context)
    {
        _stage = stage;
        _policy = policy;
        _processor = processor;
        _metrics = metrics;
        _context = context;
        _func = (processor as SyncProcessor<TIn, TOut>)?.Func;
        _action = ((object)processor as SyncSinkProcessor<TIn>)?.Action;
    }

    /// <summary>Whether the synchronous fast path may be used: a sync delegate and no retry waits.</summary>
    public bool CanRunSynchronously => _processor.IsSynchronous && !(_policy.Kind == ErrorPolicyKind.Retry && _policy.InitialBackoff > TimeSpan.Zero);

    public Packet<TOut> Run(Packet<TIn> packet)
    {
        long start = _metrics.ItemIn();
        try
        {
            var result = _func is { } func ? func(packet.Value) : _processor.Process(packet.Value);
            _metrics.ItemOut(start);
            return new Packet<TOut>(result, packet.Tag);
        }
        catch (Exception ex) when (!IsAbort(ex))
        {
            return Recover(packet, ex, start);
        }
    }

    /// <summary>
    /// A sink's item: runs the user's action (called directly when the sink is a plain delegate).
    /// Returns false when the error policy dropped the item.
    /// </summary>
    public bool Consume(Packet<TIn> packet)
    {
        long start = _metrics.ItemIn();
        try
        {
            if (_action is { } action)
            {
                action(packet.Value);
            }
            else
            {
                _processor.Process(packet.Value);
            }

            _metrics.ItemOut(start);
            return true;
        }
        catch (Exception ex) when (!IsAbort(ex))
        {
            return !Recover(packet, ex, start).IsDropped;
        }
    }

    /// <summary>The first attempt failed with <paramref name="error"/>: applies the policy, retrying synchronously.</summary>
    private Packet<TOut> Recover(Packet<TIn> packet, Exception error, long start)
    {
        for (int attempt = 1; ; attempt++)
        {
            if (!HandleFailure(packet, error, attempt, out _))
            {
                _metrics.RecordBusy(start);
                return Packet<TOut>.Dropped(packet.Tag);
            }

            _metrics.Retry();
            try
            {
                var result = _processor.Process(packet.Value);
                _metrics.ItemOut(start);
                return new Packet<TOut>(result, packet.Tag);
            }
            catch (Exception ex) when (!IsAbort(ex))
            {
                error = ex;
            }
        }
    }

    public async Task<Packet<TOut>> RunAsync(Packet<TIn> packet)
    {
        long start = _metrics.ItemIn();
        var token = _context.Token;
        for (int attempt = 1; ; attempt++)
        {
            TimeSpan wait;
            try
            {
                var result = await _processor.ProcessAsync(packet.Value, token).ConfigureAwait(false);
                _metrics.ItemOut(start);
                return new Packet<TOut>(result, packet.Tag);
            }
            catch (Exception ex) when (!IsAbort(ex))
            {
                if (!HandleFailure(packet, ex, attempt, out wait))
                {
                    _metrics.RecordBusy(start);
                    return Packet<TOut>.Dropped(packet.Tag);
                }
            }

            // The retry is counted once its wait is armed, so an observer of the count knows the
            // wait is running on the pipeline's clock.
            var delay = wait > TimeSpan.Zero ? Task.Delay(wait, _context.Time, token) : Task.CompletedTask;
            _metrics.Retry();
            await delay.ConfigureAwait(false);
        }
    }

    /// <summary>Cancellation of the run itself is not an item failure.</summary>
    private bool IsAbort(Exception ex) => ex is OperationCanceledException && _context.Token.IsCancellationRequested;

    /// <summary>
    /// Applies the policy. Returns true to retry (after <paramref name="wait"/>), false when the item
    /// is dropped; throws when the run must stop.
    /// </summary>
    private bool HandleFailure(Packet<TIn> packet, Exception ex, int attempt, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        var policy = _policy;
        if (policy.Kind == ErrorPolicyKind.Retry)
        {
            if (attempt <= policy.MaxRetries && (policy.RetryOn?.Invoke(ex) ?? true))
            {
                wait = policy.BackoffFor(attempt);
                return true;
            }

            policy = policy.Fallback!;
        }

        switch (policy.Kind)
        {
            case ErrorPolicyKind.Skip:
                _metrics.Skip();
                return false;
            case ErrorPolicyKind.DeadLetter:
                _metrics.DeadLetter();
                try
                {
                    _context.AddDeadLetter(new DeadLetter(_stage, packet.Sequence, packet.Value, ex, attempt, _context.Time.GetUtcNow()));
                }
#pragma warning disable CA1031 // A failing dead-letter handler fails the run, named after the stage.
                catch (Exception handlerError)
#pragma warning restore CA1031
                {
                    throw Fail(packet, new InvalidOperationException($"the dead-letter handler failed: {handlerError.Message}", handlerError));
                }

                return false;
            default:
                throw Fail(packet, ex);
        }
    }

    private StageFailedException Fail(Packet<TIn> packet, Exception ex)
    {
        var failure = new StageFailedException(_stage, StagePhase.Process, packet.Sequence, ex);
        _context.Fail(failure);
        return failure;
    }
}
