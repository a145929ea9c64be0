using Flow.Apps.FraudScore.Data;
using Flow.Apps.FraudScore.Features;
using Flow.Pipeline;
using Flow.Stages.Tabular.Scoring;
using Flow.Stages.Tabular.State;

namespace Flow.Apps.FraudScore.Scoring;

/// <summary>
/// The scoring part of a fraud pipeline, shared by the CSV and Kafka paths: per-card features
/// (partitioned by card, in order per card) → batches → parallel scoring replicas → single items.
/// </summary>
public static class FraudScoringGraph
{
    /// <summary>Adds feature, batch, score and unbatch stages after <paramref name="input"/>.</summary>
    /// <typeparam name="T">The item type (a transaction, or a record that carries one).</typeparam>
    /// <param name="builder">The pipeline's builder.</param>
    /// <param name="input">The items.</param>
    /// <param name="transaction">The item's transaction.</param>
    /// <param name="model">The classifier; one session per scoring replica.</param>
    /// <param name="options">Parallelism and batching.</param>
    /// <returns>The scored items; order is kept per card, not across cards.</returns>
    public static StageHandle<Scored<Featured<T>>> AddScoring<T>(PipelineBuilder builder, StageHandle<T> input, Func<T, Transaction> transaction, IBinaryClassifier model, FraudScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        int dop = options.DegreeOfParallelism;
        var featured = builder.ThenPerKey(
            input,
            "features",
            dop,
            item => transaction(item).CardId,
            _ => new CardState(),
            (state, item) =>
            {
                var tx = transaction(item);
                return new Featured<T>(item, tx, state.Next(tx));
            },
            options.BoundedCapacity);
        int batchCapacity = Math.Max(2, options.BoundedCapacity / options.BatchSize);
        return featured
            .Batch(options.BatchSize, options.BatchDelay, new StageOptions { Name = "batch", BoundedCapacity = options.BoundedCapacity })
            .Then(
                () => new BinaryScoringStage<Featured<T>>(model, f => f.Features),
                new StageOptions { Name = "score", MaxDegreeOfParallelism = dop, BoundedCapacity = batchCapacity * dop, EnsureOrdered = false })
            .Unbatch(new StageOptions { Name = "unbatch", BoundedCapacity = batchCapacity });
    }
}
