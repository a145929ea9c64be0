using Flow.Pipeline;

namespace Flow.Apps.VideoDetect;

/// <summary>
/// A stage that was opened before the pipeline ran (the replica <see cref="FrameCostProbe"/> measured with), handed to
/// the pipeline once: its open is a no-op, its close closes it. <see cref="CloseUnlessTakenAsync"/> closes it when the
/// pipeline never took it (a run that failed before its stages opened).
/// </summary>
internal sealed class PreOpenedStage<TIn, TOut>(IStage<TIn, TOut> inner) : IStage<TIn, TOut>
{
    private int _taken;

    /// <summary>This stage the first time, then <see langword="null"/>.</summary>
    public IStage<TIn, TOut>? TryTake() => Interlocked.Exchange(ref _taken, 1) == 0 ? this : null;

    /// <summary>Closes the stage if <see cref="TryTake"/> never gave it out.</summary>
    public async ValueTask CloseUnlessTakenAsync()
    {
        if (TryTake() is not null)
        {
            await inner.CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<TOut> ProcessAsync(TIn item, CancellationToken cancellationToken) => inner.ProcessAsync(item, cancellationToken);

    public ValueTask CloseAsync(CancellationToken cancellationToken) => inner.CloseAsync(cancellationToken);
}
