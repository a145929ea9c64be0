using System.Diagnostics;
using System.Globalization;
using System.Text;
using Flow.Pipeline;

namespace Flow.Apps.SpeechRec;

/// <summary>The <c>train-keywords</c> run: synthesise, augment, train, test on held-out voices, write the model and the confusion matrix.</summary>
internal static class KeywordTraining
{
    internal sealed record Outcome(KeywordModel Model, int[,] Confusion, double Accuracy, int TrainExamples, int TestExamples);

    /// <exception cref="ExternalToolException">espeak-ng is missing (checked before synthesis starts).</exception>
    /// <exception cref="StageFailedException">Synthesis failed on a word (an <see cref="ExternalToolException"/> inside).</exception>
    public static async Task<Outcome> TrainAsync(
        KeywordTrainingPlan plan, TextWriter log, CancellationToken cancellationToken, string? cacheDirectory = null, string synthesizer = EspeakSynthesizer.DefaultProgram)
    {
        var stopwatch = Stopwatch.StartNew();
        List<KeywordDataset.Request> trainPlan = KeywordDataset.Plan(plan.Words, plan.TrainVariants, plan.Accents, plan.TrainAccentsPerVariant, plan.AugmentedCopies, plan.Seed);
        List<KeywordDataset.Request> testPlan = KeywordDataset.Plan(plan.Words, plan.TestVariants, plan.Accents, plan.TestAccentsPerVariant, copies: 0, plan.Seed + 1000);
        List<KeywordExample> train = await KeywordDataset.BuildAsync(trainPlan, cancellationToken, cacheDirectory, synthesizer).ConfigureAwait(false);
        List<KeywordExample> test = await KeywordDataset.BuildAsync(testPlan, cancellationToken, cacheDirectory, synthesizer).ConfigureAwait(false);
        await log.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"train-keywords: {plan.Words.Count} words; {train.Count} training examples ({trainPlan.Count} espeak-ng clips × {1 + plan.AugmentedCopies}, {plan.TrainVariants.Count} variants); {test.Count} test clips from {plan.TestVariants.Count} held-out variants ({string.Join(", ", plan.TestVariants)}); synthesis {stopwatch.Elapsed.TotalSeconds:F1} s")).ConfigureAwait(false);

        stopwatch.Restart();
        KeywordModel model = KeywordTrainer.Train(
            train,
            plan.Words,
            plan.Epochs,
            plan.Seed,
            (epoch, loss) => log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  epoch {epoch,2}/{plan.Epochs}: loss {loss:F4} ({stopwatch.Elapsed.TotalSeconds:F0} s)")),
            cancellationToken,
            log.WriteLine);
        int[,] confusion = KeywordTrainer.Evaluate(model, test);
        return new Outcome(model, confusion, KeywordTrainer.Accuracy(confusion), train.Count, test.Count);
    }

    /// <summary>Runs <c>flow speech train-keywords</c>: progress and metrics on <paramref name="output"/>, a failure as one line on <paramref name="error"/>.</summary>
    /// <returns>0 when the model was written; 1 when espeak-ng is missing or failed (the line says which word and voice, or what to install);
    /// 2 when the <c>--cache</c> file is damaged (the line names it).</returns>
    public static Task<int> RunAsync(KeywordTrainingSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        KeywordTrainingPlan plan = settings.Quick
            ? KeywordTrainingPlan.Quick(settings.Epochs, settings.AugmentedCopies, settings.Seed)
            : KeywordTrainingPlan.Full(settings.Epochs, settings.AugmentedCopies, settings.Seed);
        return RunAsync(plan, settings, output, error, cancellationToken);
    }

    internal static async Task<int> RunAsync(KeywordTrainingPlan plan, KeywordTrainingSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        Outcome outcome;
        try
        {
            outcome = await TrainAsync(plan, output, cancellationToken, settings.CacheDirectory, settings.Synthesizer).ConfigureAwait(false);
        }
        catch (Exception e) when (Espeak(e) is { } espeak)
        {
            // The tool's failure, not the stage wrapper around it: "stage 'espeak+features' failed on item #12" says nothing to a user.
            await error.WriteLineAsync($"flow speech train-keywords: {espeak.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (InvalidDataException e)
        {
            await error.WriteLineAsync($"flow speech train-keywords: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        Directory.CreateDirectory(settings.OutputDirectory);
        string modelPath = Path.Combine(settings.OutputDirectory, "keywords.model");
        string pngPath = Path.Combine(settings.OutputDirectory, "confusion.png");
        string metricsPath = Path.Combine(settings.OutputDirectory, "metrics.txt");
        outcome.Model.Save(modelPath);
        string title = string.Create(CultureInfo.InvariantCulture, $"keywords on held-out espeak-ng voices: {outcome.Accuracy:P1} of {outcome.TestExamples}");
        ConfusionMatrixPlot.Save(pngPath, outcome.Confusion, plan.Words, title);
        string metrics = FormatMetrics(outcome, plan);
        await File.WriteAllTextAsync(metricsPath, metrics, cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(metrics).ConfigureAwait(false);
        await output.WriteLineAsync($"train-keywords: wrote {modelPath} (+ .labels), {pngPath}, {metricsPath}").ConfigureAwait(false);
        return 0;
    }

    /// <summary>The espeak-ng failure behind <paramref name="e"/>, directly or inside the synthesis stage's failure.</summary>
    private static ExternalToolException? Espeak(Exception e) => e switch
    {
        ExternalToolException espeak => espeak,
        StageFailedException { InnerException: ExternalToolException espeak } => espeak,
        _ => null,
    };

    internal static string FormatMetrics(Outcome outcome, KeywordTrainingPlan plan)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"held-out accuracy: {outcome.Accuracy:P1} ({outcome.TestExamples} clips; voices never seen in training)\n");
        text.Append("per word (recall):");
        for (int i = 0; i < plan.Words.Count; i++)
        {
            int total = 0;
            for (int j = 0; j < plan.Words.Count; j++)
            {
                total += outcome.Confusion[i, j];
            }

            text.Append(CultureInfo.InvariantCulture, $" {plan.Words[i]} {(total == 0 ? 0 : (double)outcome.Confusion[i, i] / total):P0};");
        }

        text.Append('\n');
        return text.ToString();
    }
}
