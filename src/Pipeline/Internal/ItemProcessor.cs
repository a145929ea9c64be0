using System.Collections.Concurrent;

namespace Flow.Pipeline.Internal;

/// <summary>The user's per-item work behind a stage: a delegate, a shared stage, or a pool of replicas.</summary>
internal abstract class ItemProcessor<TIn, TOut>
{
    /// <summary>Whether <see cref="Process"/> may be called (a synchronous delegate): the fast path.</summary>
    public virtual bool IsSynchronous => false;

    /// <summary>The stage object with a lifecycle behind this processor, if any: it must not serve two stages.</summary>
    public virtual object? UserObject => null;

    public virtual bool HasLifecycle => false;

    public virtual TOut Process(TIn item) => throw new NotSupportedException();

    public abstract ValueTask<TOut> ProcessAsync(TIn item, CancellationToken cancellationToken);

    /// <summary>Opens the stage instance(s). On failure, instances already opened are closed before the exception leaves.</summary>
    public virtual ValueTask OpenAsync(string stageName, int replicas, TimeProvider time, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public virtual ValueTask CloseAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

internal sealed class SyncProcessor<TIn, TOut>(Func<TIn, TOut> func) : ItemProcessor<TIn, TOut>
{
    public override bool IsSynchronous => true;

    /// <summary>The user's delegate, so the runner calls it without the virtual hop.</summary>
    public Func<TIn, TOut> Func => func;

    public override TOut Process(TIn item) => func(item);

    public override ValueTask<TOut> ProcessAsync(TIn item, CancellationToken cancellationToken) => ValueTask.FromResult(func(item));
}

internal sealed class AsyncProcessor<TIn, TOut>(Func<TIn, CancellationToken, ValueTask<TOut>> func) : ItemProcessor<TIn, TOut>
{
    public override ValueTask<TOut> ProcessAsync(TIn item, CancellationToken cancellationToken) => func(item, cancellationToken);
}

/// <summary>One stage instance shared by all workers of the stage.</summary>
internal sealed class SharedStageProcessor<TIn, TOut>(IStage<TIn, TOut> stage) : ItemProcessor<TIn, TOut>
{
    public override object? UserObject => stage;

    public override bool HasLifecycle => true;

    public override ValueTask<TOut> ProcessAsync(TIn item, CancellationToken cancellationToken) => stage.ProcessAsync(item, cancellationToken);

    public override ValueTask OpenAsync(string stageName, int replicas, TimeProvider time, CancellationToken cancellationToken)
        => stage.OpenAsync(new StageContext(stageName, 0, 1, time), cancellationToken);

    public override ValueTask CloseAsync(CancellationToken cancellationToken) => stage.CloseAsync(cancellationToken);
}

/// <summary>
/// One stage instance per worker (data-parallel replicas): an item borrows an instance for the
/// duration of its processing, so instances need not be thread-safe.
/// </summary>
internal sealed class StagePoolProcessor<TIn, TOut>(Func<IStage<TIn, TOut>> factory) : ItemProcessor<TIn, TOut>
{
    private readonly ConcurrentBag<IStage<TIn, TOut>> _idle = [];
    private readonly List<IStage<TIn, TOut>> _opened = [];

    public override bool HasLifecycle => true;

    public override async ValueTask<TOut> ProcessAsync(TIn item, CancellationToken cancellationToken)
    {
        // The stage's degree of parallelism equals the number of replicas, so one is always idle here.
        if (!_idle.TryTake(out var stage))
        {
            throw new InvalidOperationException("no idle replica: more concurrent items than replicas");
        }

        try
        {
            return await stage.ProcessAsync(item, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _idle.Add(stage);
        }
    }

    public override async ValueTask OpenAsync(string stageName, int replicas, TimeProvider time, CancellationToken cancellationToken)
    {
        var instances = new IStage<TIn, TOut>[replicas];
        for (int i = 0; i < replicas; i++)
        {
            instances[i] = factory() ?? throw new InvalidOperationException("the stage factory returned null");
        }

        var opens = new Task[replicas];
        for (int i = 0; i < replicas; i++)
        {
            opens[i] = instances[i].OpenAsync(new StageContext(stageName, i, replicas, time), cancellationToken).AsTask();
        }

        try
        {
            await Task.WhenAll(opens).ConfigureAwait(false);
        }
        catch
        {
            for (int i = 0; i < replicas; i++)
            {
                if (opens[i].IsCompletedSuccessfully)
                {
                    await instances[i].CloseAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }

            // The first replica's exception, not an AggregateException, so the error names the cause.
            throw opens.First(t => t.IsFaulted || t.IsCanceled).Exception?.InnerException ?? new OperationCanceledException(cancellationToken);
        }

        foreach (var instance in instances)
        {
            _opened.Add(instance);
            _idle.Add(instance);
        }
    }

    public override async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        List<Exception>? errors = null;
        foreach (var instance in _opened)
        {
            try
            {
                await instance.CloseAsync(cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Every replica is closed; the first error is reported after.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                (errors ??= []).Add(ex);
            }
        }

        _opened.Clear();
        if (errors is not null)
        {
            throw errors[0];
        }
    }
}

/// <summary>The empty output of sinks.</summary>
internal readonly record struct Unit;
