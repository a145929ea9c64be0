using Flow.Apps.FraudScore.Data;
using Flow.Apps.FraudScore.Features;
using Flow.Apps.FraudScore.Models;
using Flow.Pipeline;
using Flow.Stages.Tabular.Csv;
using Flow.Stages.Tabular.Scoring;

namespace Flow.Apps.FraudScore.Scoring;

/// <summary>
/// <c>flow fraud score --csv</c>: CSV → features → model → threshold → scored output and alerts. The
/// CSV is read in chunks of <see cref="FraudScoringOptions.BatchSize"/> rows and each lane scores its
/// cards' part of a chunk at once (<see cref="FraudScoringGraph.AddChunkedScoring{T}"/>).
/// </summary>
public static class FraudCsvScoring
{
    /// <summary>Scores a CSV file with a model from a model folder.</summary>
    /// <param name="settings">Input, model, outputs, pacing and parallelism.</param>
    /// <param name="output">Receives the report.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The summary.</returns>
    public static async Task<FraudScoreSummary> RunAsync(FraudScoreSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        if (!File.Exists(settings.InputPath))
        {
            throw new FileNotFoundException($"transaction CSV '{settings.InputPath}' not found (pass --csv, or write one with 'flow fraud generate --out {settings.InputPath}')", settings.InputPath);
        }

        var (model, threshold) = FraudTraining.LoadModel(settings.ModelFolder, settings.ModelKind, FraudScoringEngine.For(settings.ModelKind, settings.Engine));
        var summary = await RunAsync(settings, model, settings.Threshold ?? threshold, null, cancellationToken, settings.Live ? output : null).ConfigureAwait(false);
        output.WriteLine(summary.FormatReport());
        return summary;
    }

    /// <summary>Scores a CSV file with a given model.</summary>
    /// <param name="settings">Input, outputs, pacing and parallelism (the model fields are ignored).</param>
    /// <param name="model">The classifier.</param>
    /// <param name="threshold">The alert threshold.</param>
    /// <param name="observer">Sees every scored transaction and whether it alerted, on the sink's thread.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <param name="liveOutput">Where to draw Flow.Pipeline's live view while running; <see langword="null"/> for none.</param>
    /// <returns>The summary.</returns>
    public static async Task<FraudScoreSummary> RunAsync(FraudScoreSettings settings, IBinaryClassifier model, float threshold, Action<Transaction, float, bool>? observer, CancellationToken cancellationToken, TextWriter? liveOutput = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(model);
        var sourceOptions = new CsvSourceOptions
        {
            Path = settings.InputPath,
            RejectPath = settings.RejectPath ?? settings.InputPath + ".rejected.txt",
            ReplaySpeed = settings.ReplaySpeed,
            ChunkSize = settings.Pipeline.BatchSize,
        };
        using var source = TransactionFile.OpenChunkSource(sourceOptions);
        using var writer = new ScoredTransactionWriter(settings.ScoredPath, settings.AlertsPath, threshold, observer);
        var builder = new PipelineBuilder(new PipelineOptions { Name = "fraud-score" });
        var chunks = builder.From(source, "csv");
        FraudScoringGraph.AddChunkedScoring(chunks, tx => tx, model, settings.Pipeline)
            .To(writer, new StageOptions { Name = "alerts", BoundedCapacity = FraudScoringGraph.ChunkCapacity(settings.Pipeline) * settings.Pipeline.DegreeOfParallelism });
        var result = await FraudLiveView.RunAsync(builder.Build(), liveOutput, cancellationToken).ConfigureAwait(false);
        return new FraudScoreSummary(model.Name, threshold, source.RowsRead, source.RowsRejected, writer.Scored, writer.Alerts, writer.LabelledFraud, writer.TruePositiveAlerts, result);
    }
}
