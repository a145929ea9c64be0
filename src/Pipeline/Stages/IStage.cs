namespace Flow.Pipeline;

/// <summary>
/// A processing stage with a lifecycle: <see cref="OpenAsync"/> once (load models, open files; if it
/// throws, nothing runs), <see cref="ProcessAsync"/> per item (or per batch, when the input is an
/// array from <see cref="StageHandle{T}.Batch(BatchOptions?, StageOptions?)"/>), <see cref="CloseAsync"/> once after a
/// successful open, whatever the outcome of the run.
/// </summary>
/// <typeparam name="TIn">The input item type.</typeparam>
/// <typeparam name="TOut">The output item type.</typeparam>
/// <remarks>
/// An instance passed to the builder is shared by all of the stage's parallel workers, so it must be
/// thread-safe when <see cref="StageOptions.MaxDegreeOfParallelism"/> is above 1. Pass a factory
/// instead to get one instance per worker (replicas), each used by one item at a time.
/// </remarks>
public interface IStage<in TIn, TOut>
{
    /// <summary>Prepares the stage. Expensive objects (model sessions) are created here, never per item.</summary>
    /// <param name="context">The stage's name, replica index and clock.</param>
    /// <param name="cancellationToken">Canceled when the run is canceled.</param>
    /// <returns>A task that completes when the stage is ready.</returns>
    ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken);

    /// <summary>Processes one item.</summary>
    /// <param name="item">The input.</param>
    /// <param name="cancellationToken">Canceled when the run is canceled or fails elsewhere.</param>
    /// <returns>The output.</returns>
    ValueTask<TOut> ProcessAsync(TIn item, CancellationToken cancellationToken);

    /// <summary>Releases what <see cref="OpenAsync"/> acquired.</summary>
    /// <param name="cancellationToken">Not canceled by the run; a host may cancel it on a hard stop.</param>
    /// <returns>A task that completes when the stage is closed.</returns>
    ValueTask CloseAsync(CancellationToken cancellationToken);
}
