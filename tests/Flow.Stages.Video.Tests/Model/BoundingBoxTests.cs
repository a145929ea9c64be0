namespace Flow.Stages.Video.Tests;

public class BoundingBoxTests
{
    [Theory]
    [InlineData(0, 0, 10, 10, 0, 0, 10, 10, 1.0)]
    [InlineData(0, 0, 10, 10, 5, 0, 15, 10, 50.0 / 150.0)]
    [InlineData(0, 0, 10, 10, 10, 10, 20, 20, 0.0)]
    [InlineData(0, 0, 10, 10, 2, 2, 4, 4, 4.0 / 100.0)]
    public void IntersectionOverUnion_HandMadeBoxes_MatchesArithmetic(float ax1, float ay1, float ax2, float ay2, float bx1, float by1, float bx2, float by2, double expected)
    {
        var a = new BoundingBox(ax1, ay1, ax2, ay2);
        var b = new BoundingBox(bx1, by1, bx2, by2);
        Assert.Equal(expected, a.IntersectionOverUnion(b), 5);
        Assert.Equal(expected, b.IntersectionOverUnion(a), 5);
    }

    [Fact]
    public void ClipTo_BoxOutsideImage_IsClampedToEdges()
    {
        var clipped = new BoundingBox(-5, -3, 120, 90).ClipTo(100, 80);
        Assert.Equal(new BoundingBox(0, 0, 100, 80), clipped);
    }

    [Fact]
    public void Area_InvertedBox_IsZero()
    {
        Assert.Equal(0, new BoundingBox(10, 10, 5, 20).Area);
    }
}
