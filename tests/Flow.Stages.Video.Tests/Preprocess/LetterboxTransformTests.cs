namespace Flow.Stages.Video.Tests;

public class LetterboxTransformTests
{
    [Fact]
    public void Compute_Landscape640x360Into128_ScalesByWidthAndPadsTopAndBottom()
    {
        var t = LetterboxTransform.Compute(640, 360, 128, 128);
        Assert.Equal(0.2f, t.Scale, 6);
        Assert.Equal(128, t.ScaledWidth);
        Assert.Equal(72, t.ScaledHeight);
        Assert.Equal(0f, t.PadX);
        Assert.Equal(28f, t.PadY);
    }

    [Fact]
    public void Compute_Portrait300x600Into256_ScalesByHeightAndPadsLeftAndRight()
    {
        var t = LetterboxTransform.Compute(300, 600, 256, 256);
        Assert.Equal(256f / 600f, t.Scale, 6);
        Assert.Equal(128, t.ScaledWidth);
        Assert.Equal(256, t.ScaledHeight);
        Assert.Equal(64f, t.PadX);
        Assert.Equal(0f, t.PadY);
    }

    [Fact]
    public void ToTarget_KnownBox_LandsWherePaddingAndScaleSay()
    {
        var t = LetterboxTransform.Compute(640, 360, 128, 128);
        var inModel = t.ToTarget(new BoundingBox(100, 50, 200, 150));
        Assert.Equal(new BoundingBox(20, 38, 40, 58), inModel);
    }

    [Theory]
    [InlineData(640, 360, 128, 128)]
    [InlineData(768, 576, 256, 256)]
    [InlineData(300, 600, 128, 128)]
    [InlineData(512, 512, 128, 128)]
    public void ToSource_AfterToTarget_GivesTheOriginalBoxBack(int w, int h, int tw, int th)
    {
        var t = LetterboxTransform.Compute(w, h, tw, th);
        var box = new BoundingBox(w * 0.1f, h * 0.2f, w * 0.6f, h * 0.9f);
        var back = t.ToSource(t.ToTarget(box));
        Assert.Equal(box.X1, back.X1, 2);
        Assert.Equal(box.Y1, back.Y1, 2);
        Assert.Equal(box.X2, back.X2, 2);
        Assert.Equal(box.Y2, back.Y2, 2);
    }

    [Fact]
    public void ToSource_BoxInPadding_IsClippedToTheImage()
    {
        var t = LetterboxTransform.Compute(640, 360, 128, 128);
        var back = t.ToSource(new BoundingBox(10, 0, 30, 20));
        Assert.Equal(0f, back.Y1);
        Assert.Equal(0f, back.Y2);
        Assert.Equal(0f, back.Area);
    }

    [Fact]
    public void Compute_ZeroSize_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LetterboxTransform.Compute(0, 10, 128, 128));
    }
}
