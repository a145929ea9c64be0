using Flow.Pipeline;
using Flow.Stages.Tabular.Csv;

namespace Flow.Apps.FraudScore.Data;

/// <summary>Opens transaction CSV files (the simulator's format) as pipeline sources or lists.</summary>
public static class TransactionFile
{
    /// <summary>Creates a pipeline source over a transaction CSV file.</summary>
    /// <param name="options">The file, reject file and pacing.</param>
    /// <param name="onRejected">Called for every malformed row.</param>
    /// <returns>The source; its counters tell how many rows were read and rejected.</returns>
    public static CsvSource<Transaction> OpenSource(CsvSourceOptions options, Action<CsvRejectedRow>? onRejected = null) =>
        new(options, new TransactionCsvMapper(), tx => tx.Timestamp, onRejected);

    /// <summary>Creates a pipeline source that reads a transaction CSV file in chunks of <see cref="CsvSourceOptions.ChunkSize"/> rows.</summary>
    /// <param name="options">File, reject file, pacing and chunk size.</param>
    /// <param name="onRejected">Called for every malformed row.</param>
    /// <returns>The source; pacing uses the transaction timestamp.</returns>
    public static CsvChunkSource<Transaction> OpenChunkSource(CsvSourceOptions options, Action<CsvRejectedRow>? onRejected = null) =>
        new(options, new TransactionCsvMapper(), tx => tx.Timestamp, onRejected);

    /// <summary>Reads every valid transaction of a file, in file order.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="rejected">Receives malformed rows.</param>
    /// <param name="rejectPath">A dead-letter file for the malformed rows (<see cref="CsvSourceOptions.RejectPath"/>); <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The transactions.</returns>
    public static async Task<List<Transaction>> ReadAllAsync(string path, Action<CsvRejectedRow>? rejected = null, string? rejectPath = null, CancellationToken cancellationToken = default)
    {
        using var source = OpenSource(new CsvSourceOptions { Path = path, RejectPath = rejectPath }, rejected);
        var builder = new PipelineBuilder(new PipelineOptions { Name = "read", MetricsEnabled = false });
        var collected = builder.From(source, "csv").Collect();
        await builder.Build().RunAsync(cancellationToken).ConfigureAwait(false);
        return [.. collected.Items];
    }
}
