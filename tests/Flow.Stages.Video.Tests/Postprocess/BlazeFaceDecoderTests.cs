namespace Flow.Stages.Video.Tests;

public class BlazeFaceDecoderTests
{
    [Fact]
    public void AnchorCentres_Are896_FineGridThenCoarseGrid()
    {
        var anchors = BlazeFaceDecoder.AnchorCentres;
        Assert.Equal(896, anchors.Count);
        Assert.Equal((0.5f / 16, 0.5f / 16), anchors[0]);
        Assert.Equal((0.5f / 16, 0.5f / 16), anchors[1]);   // 2 anchors per fine cell
        Assert.Equal((1.5f / 16, 0.5f / 16), anchors[2]);
        Assert.Equal((15.5f / 16, 15.5f / 16), anchors[511]);
        Assert.Equal((0.5f / 8, 0.5f / 8), anchors[512]);
        Assert.Equal((0.5f / 8, 0.5f / 8), anchors[517]);   // 6 anchors per coarse cell
        Assert.Equal((1.5f / 8, 0.5f / 8), anchors[518]);
        Assert.Equal((7.5f / 8, 7.5f / 8), anchors[895]);
    }

    [Fact]
    public void Decode_OneConfidentCoarseAnchor_GivesItsBoxInSourcePixels()
    {
        var (fineScores, coarseScores, fineBoxes, coarseBoxes) = Empty();
        coarseScores[6] = 4f; // second coarse cell (x = 1, y = 0): centre (1.5/8, 0.5/8) * 128 = (24, 8)
        coarseBoxes.AsSpan(6 * 16, 4).SetValues(10f, -4f, 32f, 40f);
        // Source 256x256 into 128x128: scale 0.5, no padding.
        var transform = LetterboxTransform.Compute(256, 256, 128, 128);

        var detections = BlazeFaceDecoder.Decode(fineScores, coarseScores, fineBoxes, coarseBoxes, 128, 0.5f, 0.3f, transform);

        var face = Assert.Single(detections);
        Assert.Equal("face", face.Label);
        Assert.Equal(1f / (1f + MathF.Exp(-4f)), face.Score, 5);
        // Model box: centre (34, 4), size 32x40 -> (18, -16, 50, 24); in source pixels x2: (36, 0 after clipping, 100, 48).
        Assert.Equal(36f, face.Box.X1, 3);
        Assert.Equal(0f, face.Box.Y1, 3);
        Assert.Equal(100f, face.Box.X2, 3);
        Assert.Equal(48f, face.Box.Y2, 3);
    }

    [Fact]
    public void Decode_ScoresBelowThreshold_GiveNothing()
    {
        var (fineScores, coarseScores, fineBoxes, coarseBoxes) = Empty();
        fineScores[3] = -0.1f; // sigmoid = 0.475 < 0.5
        fineBoxes.AsSpan(3 * 16, 4).SetValues(0f, 0f, 20f, 20f);
        var detections = BlazeFaceDecoder.Decode(fineScores, coarseScores, fineBoxes, coarseBoxes, 128, 0.5f, 0.3f, LetterboxTransform.Compute(128, 128, 128, 128));
        Assert.Empty(detections);
    }

    [Fact]
    public void Decode_NeighbouringAnchorsOnOneFace_AreMergedIntoOne()
    {
        var (fineScores, coarseScores, fineBoxes, coarseBoxes) = Empty();
        // The two anchors of fine cell (4, 4) (centre 36, 36) and the first of cell (5, 4) (centre 44, 36), all on one face at (40, 36).
        foreach (var (anchor, dx) in new[] { (2 * (4 * 16 + 4), 4f), ((2 * (4 * 16 + 4)) + 1, 4f), (2 * (4 * 16 + 5), -4f) })
        {
            fineScores[anchor] = 3f;
            fineBoxes.AsSpan(anchor * 16, 4).SetValues(dx, 0f, 30f, 30f);
        }

        var detections = BlazeFaceDecoder.Decode(fineScores, coarseScores, fineBoxes, coarseBoxes, 128, 0.5f, 0.3f, LetterboxTransform.Compute(128, 128, 128, 128));
        var face = Assert.Single(detections);
        Assert.Equal(25f, face.Box.X1, 3);
        Assert.Equal(55f, face.Box.X2, 3);
    }

    private static (float[], float[], float[], float[]) Empty()
    {
        var fine = Enumerable.Repeat(-100f, 512).ToArray();
        var coarse = Enumerable.Repeat(-100f, 384).ToArray();
        return (fine, coarse, new float[512 * 16], new float[384 * 16]);
    }
}

internal static class SpanExtensions
{
    public static void SetValues(this Span<float> span, params float[] values) => values.CopyTo(span);
}
