namespace Flow.Pipeline;

/// <summary>
/// A convenient base for <see cref="IStage{TIn, TOut}"/>: open and close do nothing unless overridden.
/// </summary>
/// <typeparam name="TIn">The input item type.</typeparam>
/// <typeparam name="TOut">The output item type.</typeparam>
public abstract class Stage<TIn, TOut> : IStage<TIn, TOut>
{
    /// <inheritdoc />
    public virtual ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public abstract ValueTask<TOut> ProcessAsync(TIn item, CancellationToken cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask CloseAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
