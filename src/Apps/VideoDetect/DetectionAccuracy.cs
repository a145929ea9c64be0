namespace Flow.Apps.VideoDetect;

/// <summary>Compares detections with ground truth.</summary>
public static class DetectionAccuracy
{
    /// <summary>
    /// Matches, per frame, detections to known boxes greedily by IoU (highest first, one to one, at least
    /// <paramref name="iouThreshold"/>), and counts id switches per known object.
    /// </summary>
    /// <param name="truth">The known boxes per frame.</param>
    /// <param name="detected">The detections per frame (frames missing from it count as frames with no detections).</param>
    /// <param name="iouThreshold">The least IoU for a match; 0.5 by default.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iouThreshold"/> is outside (0, 1].</exception>
    public static AccuracyReport Evaluate(GroundTruthClip truth, IReadOnlyList<FrameDetections> detected, float iouThreshold = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(detected);
        if (!(iouThreshold > 0 && iouThreshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(iouThreshold), iouThreshold, "the IoU threshold must be in (0, 1]");
        }

        var byFrame = detected.ToDictionary(f => f.FrameIndex);
        var lastTrack = new Dictionary<int, int>();
        int tp = 0, fp = 0, fn = 0, switches = 0;
        for (int frame = 0; frame < truth.Frames.Count; frame++)
        {
            var known = truth.Frames[frame];
            var found = byFrame.TryGetValue(frame, out var f) ? f.Detections : [];
            var pairs = new List<(float Iou, int Known, int Found)>();
            for (int k = 0; k < known.Count; k++)
            {
                for (int d = 0; d < found.Count; d++)
                {
                    float iou = known[k].Box.IntersectionOverUnion(found[d].Box);
                    if (iou >= iouThreshold)
                    {
                        pairs.Add((iou, k, d));
                    }
                }
            }

            pairs.Sort((a, b) => b.Iou.CompareTo(a.Iou));
            var knownUsed = new bool[known.Count];
            var foundUsed = new bool[found.Count];
            foreach (var (_, k, d) in pairs)
            {
                if (knownUsed[k] || foundUsed[d])
                {
                    continue;
                }

                knownUsed[k] = foundUsed[d] = true;
                tp++;
                int objectId = known[k].ObjectId;
                if (lastTrack.TryGetValue(objectId, out int previous) && previous != found[d].TrackId)
                {
                    switches++;
                }

                lastTrack[objectId] = found[d].TrackId;
            }

            fn += knownUsed.Count(used => !used);
            fp += foundUsed.Count(used => !used);
        }

        return new AccuracyReport(truth.Frames.Count, tp, fp, fn, switches, iouThreshold);
    }
}
