namespace Flow.Stages.Video.Tests;

public class NonMaxSuppressionTests
{
    private static Detection D(float x1, float y1, float x2, float y2, float score, string label = "face") => new(new BoundingBox(x1, y1, x2, y2), score, label);

    [Fact]
    public void Hard_TwoOverlappingAndOneApart_KeepsBestOfPairAndTheLoneBox()
    {
        var kept = NonMaxSuppression.Hard([D(0, 0, 10, 10, 0.6f), D(1, 1, 11, 11, 0.9f), D(50, 50, 60, 60, 0.7f)], 0.3f);
        Assert.Equal(2, kept.Count);
        Assert.Equal(0.9f, kept[0].Score);
        Assert.Equal(new BoundingBox(1, 1, 11, 11), kept[0].Box);
        Assert.Equal(0.7f, kept[1].Score);
    }

    [Fact]
    public void Hard_OverlapBelowThreshold_KeepsBoth()
    {
        // IoU of these two is 50/150 = 0.33.
        var kept = NonMaxSuppression.Hard([D(0, 0, 10, 10, 0.6f), D(5, 0, 15, 10, 0.9f)], 0.4f);
        Assert.Equal(2, kept.Count);
    }

    [Fact]
    public void Hard_DifferentLabels_AreNotSuppressed()
    {
        var kept = NonMaxSuppression.Hard([D(0, 0, 10, 10, 0.6f, "person"), D(0, 0, 10, 10, 0.9f, "face")], 0.3f);
        Assert.Equal(2, kept.Count);
    }

    [Fact]
    public void Weighted_TwoOverlappingBoxes_AveragesCoordinatesByScoreAndKeepsTopScore()
    {
        var kept = NonMaxSuppression.Weighted([D(0, 0, 10, 10, 0.75f), D(4, 0, 14, 10, 0.25f)], 0.3f);
        var merged = Assert.Single(kept);
        Assert.Equal(0.75f, merged.Score);
        Assert.Equal(1f, merged.Box.X1, 5);   // 0 * 0.75 + 4 * 0.25
        Assert.Equal(11f, merged.Box.X2, 5);  // 10 * 0.75 + 14 * 0.25
        Assert.Equal(0f, merged.Box.Y1, 5);
        Assert.Equal(10f, merged.Box.Y2, 5);
    }

    [Fact]
    public void Weighted_SeparateClusters_GiveOneBoxEachHighestFirst()
    {
        var kept = NonMaxSuppression.Weighted(
            [D(0, 0, 10, 10, 0.6f), D(1, 1, 11, 11, 0.6f), D(100, 100, 120, 120, 0.95f), D(101, 100, 121, 120, 0.9f), D(300, 0, 310, 10, 0.55f)],
            0.3f);
        Assert.Equal(3, kept.Count);
        Assert.Equal([0.95f, 0.6f, 0.55f], kept.Select(k => k.Score));
        Assert.Equal(100f + (0.9f / 1.85f), kept[0].Box.X1, 4);
    }

    [Fact]
    public void Weighted_ZeroAreaBox_TerminatesAndKeepsIt()
    {
        var kept = NonMaxSuppression.Weighted([D(5, 5, 5, 5, 0.9f), D(0, 0, 10, 10, 0.8f)], 0.3f);
        Assert.Equal(2, kept.Count);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void Hard_ThresholdOutsideRange_Throws(float threshold)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NonMaxSuppression.Hard([], threshold));
    }
}
