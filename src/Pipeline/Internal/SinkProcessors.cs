using System.Threading.Channels;

namespace Flow.Pipeline.Internal;

internal sealed class SyncSinkProcessor<T>(Action<T> action) : ItemProcessor<T, Unit>
{
    public override bool IsSynchronous => true;

    /// <summary>The user's action, so the runner calls it without the virtual hop.</summary>
    public Action<T> Action => action;

    public override Unit Process(T item)
    {
        action(item);
        return default;
    }

    public override ValueTask<Unit> ProcessAsync(T item, CancellationToken cancellationToken)
    {
        action(item);
        return ValueTask.FromResult(default(Unit));
    }
}

internal sealed class AsyncSinkProcessor<T>(Func<T, CancellationToken, ValueTask> action) : ItemProcessor<T, Unit>
{
    public override async ValueTask<Unit> ProcessAsync(T item, CancellationToken cancellationToken)
    {
        await action(item, cancellationToken).ConfigureAwait(false);
        return default;
    }
}

internal sealed class SinkStageProcessor<T>(ISinkStage<T> sink) : ItemProcessor<T, Unit>
{
    public override object? UserObject => sink;

    public override bool HasLifecycle => true;

    public override async ValueTask<Unit> ProcessAsync(T item, CancellationToken cancellationToken)
    {
        await sink.ConsumeAsync(item, cancellationToken).ConfigureAwait(false);
        return default;
    }

    public override ValueTask OpenAsync(string stageName, int replicas, TimeProvider time, CancellationToken cancellationToken)
        => sink.OpenAsync(new StageContext(stageName, 0, 1, time), cancellationToken);

    public override ValueTask CloseAsync(CancellationToken cancellationToken) => sink.CloseAsync(cancellationToken);
}

internal sealed class ChannelSinkProcessor<T>(ChannelWriter<T> writer) : ItemProcessor<T, Unit>
{
    public override async ValueTask<Unit> ProcessAsync(T item, CancellationToken cancellationToken)
    {
        await writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        return default;
    }
}
