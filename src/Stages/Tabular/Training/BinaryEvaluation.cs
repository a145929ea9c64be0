namespace Flow.Stages.Tabular.Training;

/// <summary>
/// How well probabilities separate two classes: threshold-free areas (ROC AUC, PR AUC as average
/// precision) and precision/recall at one threshold.
/// </summary>
/// <param name="Count">How many rows were scored.</param>
/// <param name="Positives">How many of them are positive.</param>
/// <param name="RocAuc">Area under the ROC curve (ties count half).</param>
/// <param name="PrAuc">Area under the precision–recall curve, as average precision.</param>
/// <param name="Threshold">The probability at or above which a row is flagged.</param>
/// <param name="Precision">Flagged positives / flagged rows at <paramref name="Threshold"/> (1 when nothing is flagged).</param>
/// <param name="Recall">Flagged positives / positives at <paramref name="Threshold"/>.</param>
/// <param name="Flagged">How many rows were flagged at <paramref name="Threshold"/>.</param>
public sealed record BinaryEvaluation(long Count, long Positives, double RocAuc, double PrAuc, float Threshold, double Precision, double Recall, long Flagged)
{
    /// <summary>Evaluates probabilities against labels at a given threshold.</summary>
    /// <param name="probabilities">The model's probabilities.</param>
    /// <param name="labels">The true labels, one per probability.</param>
    /// <param name="threshold">The flagging threshold.</param>
    /// <returns>The evaluation.</returns>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public static BinaryEvaluation Evaluate(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels, float threshold)
    {
        Check(probabilities, labels);
        var (roc, pr, positives) = Areas(probabilities, labels);
        long flagged = 0, truePositives = 0;
        for (int i = 0; i < probabilities.Count; i++)
        {
            if (probabilities[i] >= threshold)
            {
                flagged++;
                truePositives += labels[i] ? 1 : 0;
            }
        }

        double precision = flagged == 0 ? 1.0 : truePositives / (double)flagged;
        double recall = positives == 0 ? 0.0 : truePositives / (double)positives;
        return new BinaryEvaluation(probabilities.Count, positives, roc, pr, threshold, precision, recall, flagged);
    }

    /// <summary>
    /// The lowest threshold whose precision is at least <paramref name="targetPrecision"/> (so recall is
    /// as high as that precision allows); if none reaches it, the threshold of the best precision.
    /// </summary>
    /// <param name="probabilities">The model's probabilities on data not used for training.</param>
    /// <param name="labels">The true labels.</param>
    /// <param name="targetPrecision">The precision to reach, in (0, 1].</param>
    /// <returns>The threshold.</returns>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The target is not in (0, 1].</exception>
    public static float ThresholdForPrecision(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels, double targetPrecision)
    {
        Check(probabilities, labels);
        if (targetPrecision is <= 0 or > 1 || double.IsNaN(targetPrecision))
        {
            throw new ArgumentOutOfRangeException(nameof(targetPrecision), targetPrecision, "the target precision must be in (0, 1]");
        }

        var order = Enumerable.Range(0, probabilities.Count).OrderByDescending(i => probabilities[i]).ToArray();
        long flagged = 0, truePositives = 0;
        float best = float.PositiveInfinity, bestPrecisionThreshold = probabilities[order[0]];
        double bestPrecision = -1;
        for (int k = 0; k < order.Length; k++)
        {
            flagged++;
            truePositives += labels[order[k]] ? 1 : 0;
            float score = probabilities[order[k]];
            bool lastOfTie = k + 1 == order.Length || probabilities[order[k + 1]] < score;
            if (!lastOfTie)
            {
                continue;
            }

            double precision = truePositives / (double)flagged;
            if (precision >= targetPrecision)
            {
                best = score;
            }

            if (precision > bestPrecision)
            {
                bestPrecision = precision;
                bestPrecisionThreshold = score;
            }
        }

        return float.IsPositiveInfinity(best) ? bestPrecisionThreshold : best;
    }

    /// <summary>Formats the evaluation as one line.</summary>
    /// <returns>The line.</returns>
    public override string ToString() =>
        FormattableString.Invariant($"rows={Count} positives={Positives} ROC AUC={RocAuc:0.0000} PR AUC={PrAuc:0.0000} threshold={Threshold:0.0000} precision={Precision:0.0000} recall={Recall:0.0000} flagged={Flagged}");

    private static void Check(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        if (probabilities.Count != labels.Count)
        {
            throw new ArgumentException($"{probabilities.Count} probabilities but {labels.Count} labels", nameof(labels));
        }

        if (probabilities.Count == 0)
        {
            throw new ArgumentException("nothing to evaluate", nameof(probabilities));
        }
    }

    private static (double Roc, double Pr, long Positives) Areas(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels)
    {
        var order = Enumerable.Range(0, probabilities.Count).OrderByDescending(i => probabilities[i]).ToArray();
        long positives = labels.LongCount(l => l);
        long negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return (double.NaN, double.NaN, positives);
        }

        // Walk groups of tied scores from the top: ROC by trapezoids, PR as average precision.
        double rocArea = 0, averagePrecision = 0;
        long tp = 0, fp = 0;
        int k = 0;
        while (k < order.Length)
        {
            float score = probabilities[order[k]];
            long groupTp = 0, groupFp = 0;
            while (k < order.Length && probabilities[order[k]] == score)
            {
                if (labels[order[k]])
                {
                    groupTp++;
                }
                else
                {
                    groupFp++;
                }

                k++;
            }

            rocArea += groupFp * (tp + (groupTp / 2.0));
            tp += groupTp;
            fp += groupFp;
            if (groupTp > 0)
            {
                averagePrecision += groupTp / (double)positives * (tp / (double)(tp + fp));
            }
        }

        return (rocArea / (positives * (double)negatives), averagePrecision, positives);
    }
}
