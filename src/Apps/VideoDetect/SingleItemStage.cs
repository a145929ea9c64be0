using Flow.Pipeline;

namespace Flow.Apps.VideoDetect;

/// <summary>
/// Runs a batch stage one item at a time, so a pipeline with batches of one needs no batch and
/// unbatch stages (two fewer hands-offs per frame).
/// </summary>
internal sealed class SingleItemStage<TIn, TOut>(IStage<TIn[], TOut[]> inner) : IStage<TIn, TOut>
{
    public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken) => inner.OpenAsync(context, cancellationToken);

    public async ValueTask<TOut> ProcessAsync(TIn item, CancellationToken cancellationToken) =>
        (await inner.ProcessAsync([item], cancellationToken).ConfigureAwait(false))[0];

    public ValueTask CloseAsync(CancellationToken cancellationToken) => inner.CloseAsync(cancellationToken);
}
