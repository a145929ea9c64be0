namespace Flow.Pipeline;

/// <summary>
/// An item a stage could not process and dropped under <see cref="ErrorPolicy.DeadLetter"/>.
/// </summary>
/// <param name="Stage">The name of the stage that failed.</param>
/// <param name="Sequence">The item's sequence number, given by its source (0-based).</param>
/// <param name="Item">The item that failed.</param>
/// <param name="Exception">The last exception thrown for it.</param>
/// <param name="Attempts">How many times processing was attempted.</param>
/// <param name="Timestamp">When it was dead-lettered, by the pipeline's clock.</param>
public sealed record DeadLetter(string Stage, long Sequence, object? Item, Exception Exception, int Attempts, DateTimeOffset Timestamp)
{
    /// <summary>The reason in one line: the exception's message.</summary>
    public string Reason => Exception.Message;
}
