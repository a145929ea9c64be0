namespace Flow.Stages.Video;

/// <summary>Removes overlapping detections of the same object.</summary>
public static class NonMaxSuppression
{
    /// <summary>
    /// Classic (hard) NMS: keeps the highest-scoring box and drops every other box of the same label
    /// that overlaps it by more than <paramref name="iouThreshold"/>; repeats with what is left.
    /// </summary>
    /// <param name="detections">The candidates.</param>
    /// <param name="iouThreshold">Overlap above which a lower-scoring box is dropped, in (0, 1].</param>
    /// <returns>The kept detections, highest score first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iouThreshold"/> is outside (0, 1].</exception>
    public static IReadOnlyList<Detection> Hard(IEnumerable<Detection> detections, float iouThreshold)
    {
        ArgumentNullException.ThrowIfNull(detections);
        CheckThreshold(iouThreshold);
        var remaining = detections.OrderByDescending(d => d.Score).ToList();
        var kept = new List<Detection>();
        while (remaining.Count > 0)
        {
            var best = remaining[0];
            kept.Add(best);
            remaining.RemoveAt(0);
            remaining.RemoveAll(d => d.Label == best.Label && d.Box.IntersectionOverUnion(best.Box) > iouThreshold);
        }

        return kept;
    }

    /// <summary>
    /// Weighted NMS (MediaPipe's blending, suited to anchor-based detectors such as BlazeFace): the
    /// highest-scoring box and every box of the same label overlapping it by more than
    /// <paramref name="iouThreshold"/> are merged into one box, their coordinates averaged with the
    /// scores as weights; the merged box keeps the highest score. Repeats with what is left.
    /// </summary>
    /// <param name="detections">The candidates.</param>
    /// <param name="iouThreshold">Overlap above which boxes are merged, in (0, 1].</param>
    /// <returns>The merged detections, highest score first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iouThreshold"/> is outside (0, 1].</exception>
    public static IReadOnlyList<Detection> Weighted(IEnumerable<Detection> detections, float iouThreshold)
    {
        ArgumentNullException.ThrowIfNull(detections);
        CheckThreshold(iouThreshold);
        var remaining = detections.OrderByDescending(d => d.Score).ToList();
        var kept = new List<Detection>();
        var cluster = new List<Detection>();
        while (remaining.Count > 0)
        {
            var best = remaining[0];
            cluster.Clear();
            foreach (var d in remaining)
            {
                if (d.Label == best.Label && d.Box.IntersectionOverUnion(best.Box) > iouThreshold)
                {
                    cluster.Add(d);
                }
            }

            if (cluster.Count == 0)
            {
                // A degenerate (zero-area) best box overlaps nothing, not even itself.
                cluster.Add(best);
            }

            float total = 0, x1 = 0, y1 = 0, x2 = 0, y2 = 0;
            foreach (var d in cluster)
            {
                total += d.Score;
                x1 += d.Box.X1 * d.Score;
                y1 += d.Box.Y1 * d.Score;
                x2 += d.Box.X2 * d.Score;
                y2 += d.Box.Y2 * d.Score;
            }

            var merged = total > 0 ? new BoundingBox(x1 / total, y1 / total, x2 / total, y2 / total) : best.Box;
            kept.Add(best with { Box = merged });
            remaining.RemoveAll(d => d == best || cluster.Contains(d));
        }

        return kept;
    }

    private static void CheckThreshold(float iouThreshold)
    {
        if (!(iouThreshold > 0 && iouThreshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(iouThreshold), iouThreshold, "the IoU threshold must be in (0, 1]");
        }
    }
}
