using Flow.Apps.FraudScore.Data;
using Flow.Apps.FraudScore.Features;
using Flow.Pipeline;
using Flow.Stages.Tabular.Scoring;
using Flow.Stages.Tabular.State;

namespace Flow.Apps.FraudScore.Scoring;

/// <summary>
/// The scoring part of a fraud pipeline, shared by the CSV and Kafka paths. Items are partitioned by
/// card; each partition has its own lane — per-card features (one worker, in card order) → batches →
/// its own model session — and the lanes' scored batches are merged. Lanes share nothing, so DOP N
/// runs N independent lanes (data parallelism with one model replica per lane).
/// </summary>
public static class FraudScoringGraph
{
    /// <summary>Adds the lanes after <paramref name="input"/>; returns scored batches.</summary>
    /// <typeparam name="T">The item type (a transaction, or a record that carries one).</typeparam>
    /// <param name="input">The items.</param>
    /// <param name="transaction">The item's transaction.</param>
    /// <param name="model">The classifier; one session per lane.</param>
    /// <param name="options">Parallelism (lanes) and batching.</param>
    /// <returns>Scored batches; order is kept per card, not across cards.</returns>
    public static StageHandle<Scored<Featured<T>>[]> AddScoring<T>(StageHandle<T> input, Func<T, Transaction> transaction, IBinaryClassifier model, FraudScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        int lanes = options.DegreeOfParallelism;
        var inputs = lanes == 1
            ? [input]
            : input.PartitionBy(item => transaction(item).CardId, lanes, new StageOptions { Name = "by-card", BoundedCapacity = options.BoundedCapacity });
        int batchCapacity = Math.Max(2, options.BoundedCapacity / options.BatchSize);
        var outputs = new StageHandle<Scored<Featured<T>>[]>[lanes];
        for (int lane = 0; lane < lanes; lane++)
        {
            string suffix = lanes == 1 ? string.Empty : $"#{lane}";
            outputs[lane] = inputs[lane]
                .Then(
                    new KeyedStateStage<T, long, CardState, Featured<T>>(
                        item => transaction(item).CardId,
                        _ => new CardState(),
                        (state, item) =>
                        {
                            var tx = transaction(item);
                            return new Featured<T>(item, tx, state.Next(tx));
                        }),
                    new StageOptions { Name = "features" + suffix, BoundedCapacity = options.BoundedCapacity })
                .Batch(options.BatchSize, options.BatchDelay, new StageOptions { Name = "batch" + suffix, BoundedCapacity = options.BoundedCapacity })
                .Then(
                    new BinaryScoringStage<Featured<T>>(model, f => f.Features),
                    new StageOptions { Name = "score" + suffix, BoundedCapacity = batchCapacity });
        }

        return lanes == 1 ? outputs[0] : input.Builder.Merge(new StageOptions { Name = "merge", BoundedCapacity = batchCapacity * lanes }, outputs);
    }

    /// <summary>
    /// The chunked form of <see cref="AddScoring{T}"/>, for sources that read many records at once
    /// (<see cref="Flow.Stages.Tabular.Csv.CsvChunkSource{T}"/>): every chunk is broadcast to N lanes,
    /// and each lane takes the cards it owns, computes their features in chunk order and scores them
    /// with its own model session in one call. One pipeline hop per chunk and lane replaces the
    /// per-transaction hops of partition → features → batch, and the lanes allocate nothing per transaction.
    /// </summary>
    /// <typeparam name="T">The item type (a transaction, or a record that carries one).</typeparam>
    /// <param name="chunks">Chunks of items in arrival order.</param>
    /// <param name="transaction">The item's transaction.</param>
    /// <param name="model">The classifier; one session per lane.</param>
    /// <param name="options">Parallelism (lanes) and the queue length in transactions.</param>
    /// <returns>Scored chunks, one per lane per input chunk; order is kept per card, not across cards.</returns>
    public static StageHandle<ScoredChunk<T>> AddChunkedScoring<T>(StageHandle<T[]> chunks, Func<T, Transaction> transaction, IBinaryClassifier model, FraudScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        int lanes = options.DegreeOfParallelism;
        int capacity = ChunkCapacity(options);
        var inputs = lanes == 1
            ? [chunks]
            : chunks.Broadcast(lanes, new StageOptions { Name = "by-card", BoundedCapacity = capacity });
        var outputs = new StageHandle<ScoredChunk<T>>[lanes];
        for (int lane = 0; lane < lanes; lane++)
        {
            outputs[lane] = inputs[lane].Then(
                new FraudChunkLane<T>(lane, lanes, transaction, model),
                new StageOptions { Name = lanes == 1 ? "score" : $"score#{lane}", BoundedCapacity = capacity });
        }

        return lanes == 1 ? outputs[0] : chunks.Builder.Merge(new StageOptions { Name = "merge", BoundedCapacity = capacity * lanes }, outputs);
    }

    /// <summary>
    /// The queue length, in chunks, that holds about <see cref="FraudScoringOptions.BoundedCapacity"/> transactions, and
    /// at least 4 chunks with one lane or <see cref="MinimumChunkCapacity"/> with more.
    /// </summary>
    /// <param name="options">The scoring options.</param>
    /// <returns>The capacity of each chunk stage.</returns>
    public static int ChunkCapacity(FraudScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Math.Max(options.DegreeOfParallelism == 1 ? 4 : MinimumChunkCapacity, options.BoundedCapacity / options.BatchSize);
    }

    /// <summary>
    /// The shortest queue of a chunk stage, in chunks, when there are several lanes (one lane has no broadcast and keeps
    /// at least 4, as before). The broadcast hands a chunk to the lanes one after the
    /// other and waits while a lane's queue is full, so when the other threads (the CSV source, the writer, the
    /// JIT) take one lane's core for a few milliseconds, the other lane runs dry once the broadcast is stuck on
    /// the full queue. 16 chunks (about 20 ms of a lane's work at DOP 2 with 1,024-row chunks) outlast such a pause where 4
    /// did not (docs/FRAUD.md, "Session 6": the one-shot command at DOP 2 was faster with 16). Under pacing the
    /// queues stay empty, so the length adds no latency.
    /// </summary>
    public const int MinimumChunkCapacity = 16;
}
