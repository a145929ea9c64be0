namespace Flow.Stages.Video;

/// <summary>
/// Decodes BlazeFace's raw outputs: 896 SSD anchors (a 16×16 grid with 2 anchors per cell, then an
/// 8×8 grid with 6 per cell, centres at cell middles, unit size), each with a logit and 16 regressors
/// (box centre offset and size in input pixels, then 6 keypoints). Boxes above the score threshold
/// are merged by weighted NMS and mapped back through the letterbox.
/// </summary>
internal static class BlazeFaceDecoder
{
    public const int AnchorCount = 896;
    public const int FineAnchors = 512;
    public const int Regressors = 16;

    private static readonly (float X, float Y)[] Anchors = CreateAnchors();

    public static IReadOnlyList<(float X, float Y)> AnchorCentres => Anchors;

    public static IReadOnlyList<Detection> Decode(
        ReadOnlySpan<float> fineScores,
        ReadOnlySpan<float> coarseScores,
        ReadOnlySpan<float> fineBoxes,
        ReadOnlySpan<float> coarseBoxes,
        int inputSize,
        float scoreThreshold,
        float iouThreshold,
        LetterboxTransform transform)
    {
        var candidates = new List<Detection>();
        float logitThreshold = MathF.Log(scoreThreshold / (1 - scoreThreshold));
        for (int a = 0; a < AnchorCount; a++)
        {
            bool fine = a < FineAnchors;
            int i = fine ? a : a - FineAnchors;
            float logit = Math.Clamp(fine ? fineScores[i] : coarseScores[i], -100f, 100f);
            if (logit < logitThreshold)
            {
                continue;
            }

            var raw = (fine ? fineBoxes : coarseBoxes).Slice(i * Regressors, 4);
            float cx = (raw[0] / inputSize + Anchors[a].X) * inputSize;
            float cy = (raw[1] / inputSize + Anchors[a].Y) * inputSize;
            float w = raw[2], h = raw[3];
            var box = new BoundingBox(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
            candidates.Add(new Detection(box, 1f / (1f + MathF.Exp(-logit)), "face"));
        }

        var merged = NonMaxSuppression.Weighted(candidates, iouThreshold);
        var result = new List<Detection>(merged.Count);
        foreach (var d in merged)
        {
            var mapped = transform.ToSource(d.Box);
            if (mapped.Area > 0)
            {
                result.Add(d with { Box = mapped });
            }
        }

        return result;
    }

    private static (float X, float Y)[] CreateAnchors()
    {
        var anchors = new List<(float X, float Y)>(AnchorCount);
        foreach (var (grid, perCell) in new[] { (16, 2), (8, 6) })
        {
            for (int y = 0; y < grid; y++)
            {
                for (int x = 0; x < grid; x++)
                {
                    for (int k = 0; k < perCell; k++)
                    {
                        anchors.Add(((x + 0.5f) / grid, (y + 0.5f) / grid));
                    }
                }
            }
        }

        return anchors.ToArray();
    }
}
