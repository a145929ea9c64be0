namespace Flow.Pipeline;

/// <summary>
/// A source with a lifecycle (a camera, a file reader, a message consumer). The pipeline opens it,
/// enumerates <see cref="ReadAsync"/> until it ends or the run stops, then closes it.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public interface ISourceStage<T>
{
    /// <summary>Prepares the source. If it throws, nothing runs.</summary>
    /// <param name="context">The stage's name and clock.</param>
    /// <param name="cancellationToken">Canceled when the run is canceled.</param>
    /// <returns>A task that completes when the source is ready.</returns>
    ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken);

    /// <summary>The items. Called once per run.</summary>
    /// <param name="cancellationToken">Canceled when the run is stopped or canceled.</param>
    /// <returns>The stream of items.</returns>
    IAsyncEnumerable<T> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Releases what <see cref="OpenAsync"/> acquired.</summary>
    /// <param name="cancellationToken">Not canceled by the run.</param>
    /// <returns>A task that completes when the source is closed.</returns>
    ValueTask CloseAsync(CancellationToken cancellationToken);
}
