namespace Flow.Pipeline;

/// <summary>
/// A terminal stage with a lifecycle (a file writer, a message producer): opened once, given every
/// item, closed once after a successful open.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public interface ISinkStage<in T>
{
    /// <summary>Prepares the sink. If it throws, nothing runs.</summary>
    /// <param name="context">The stage's name, replica index and clock.</param>
    /// <param name="cancellationToken">Canceled when the run is canceled.</param>
    /// <returns>A task that completes when the sink is ready.</returns>
    ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken);

    /// <summary>Consumes one item.</summary>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">Canceled when the run is canceled or fails elsewhere.</param>
    /// <returns>A task that completes when the item is handled.</returns>
    ValueTask ConsumeAsync(T item, CancellationToken cancellationToken);

    /// <summary>Flushes and releases what <see cref="OpenAsync"/> acquired.</summary>
    /// <param name="cancellationToken">Not canceled by the run.</param>
    /// <returns>A task that completes when the sink is closed.</returns>
    ValueTask CloseAsync(CancellationToken cancellationToken);
}
