using Flow.Stages.Tabular.Training;

namespace Flow.Stages.Tabular.Tests.Training;

public sealed class BinaryEvaluationTests
{
    [Fact]
    public void Evaluate_HandComputedExample_MatchesAreasAndCounts()
    {
        // Scores (label): 0.9(1) 0.8(0) 0.7(1) 0.6(1) 0.2(0) 0.1(0).
        // ROC AUC: pairs (pos > neg) = 3 positives × 3 negatives = 9; wins: 0.9 beats 3, 0.7 beats 2, 0.6 beats 2 = 7 → 7/9.
        // Average precision: positives at ranks 1, 3, 4 → (1/1 + 2/3 + 3/4) / 3.
        float[] p = [0.9f, 0.8f, 0.7f, 0.6f, 0.2f, 0.1f];
        bool[] y = [true, false, true, true, false, false];

        var e = BinaryEvaluation.Evaluate(p, y, threshold: 0.65f);

        Assert.Equal(7.0 / 9.0, e.RocAuc, 12);
        Assert.Equal((1.0 + (2.0 / 3.0) + 0.75) / 3.0, e.PrAuc, 12);
        Assert.Equal(3, e.Flagged);
        Assert.Equal(2.0 / 3.0, e.Precision, 12);
        Assert.Equal(2.0 / 3.0, e.Recall, 12);
        Assert.Equal(3, e.Positives);
    }

    [Fact]
    public void Evaluate_TiedScores_CountHalf()
    {
        var e = BinaryEvaluation.Evaluate([0.5f, 0.5f], [true, false], 0.5f);

        Assert.Equal(0.5, e.RocAuc, 12);
    }

    [Fact]
    public void ThresholdForPrecision_PicksLowestThresholdReachingTarget()
    {
        float[] p = [0.9f, 0.8f, 0.7f, 0.6f, 0.2f, 0.1f];
        bool[] y = [true, false, true, true, false, false];

        // Precision at each cut: 0.9 → 1, 0.8 → 1/2, 0.7 → 2/3, 0.6 → 3/4, 0.2 → 3/5, 0.1 → 1/2.
        Assert.Equal(0.6f, BinaryEvaluation.ThresholdForPrecision(p, y, 0.75));
        Assert.Equal(0.9f, BinaryEvaluation.ThresholdForPrecision(p, y, 0.8));
        Assert.Equal(0.1f, BinaryEvaluation.ThresholdForPrecision(p, y, 0.5));
    }

    [Fact]
    public void Evaluate_LengthMismatch_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => BinaryEvaluation.Evaluate([0.1f], [true, false], 0.5f));

        Assert.Contains("1 probabilities but 2 labels", error.Message);
    }
}
