using Flow.Pipeline;

namespace Flow.Stages.Video;

/// <summary>
/// Gives detections stable ids across frames by overlap: each frame's detections are matched to the
/// live tracks greedily, highest IoU first (same label only); unmatched detections start new tracks
/// with fresh ids; a track unmatched for more than <see cref="IouTrackerOptions.MaxMissedFrames"/>
/// frames ends. Frames must arrive in order, so run it at a degree of parallelism of 1 (a stage of
/// this type is stateful and not thread-safe).
/// </summary>
public sealed class IouTracker : Stage<DetectionFrame, DetectionFrame>
{
    private readonly IouTrackerOptions _options;
    private readonly List<Track> _tracks = [];
    private int _nextId = 1;
    private long _lastFrame = long.MinValue;

    /// <summary>Creates a tracker.</summary>
    /// <param name="options">Matching settings; a snapshot is taken. By default <see cref="IouTrackerOptions"/>' defaults.</param>
    public IouTracker(IouTrackerOptions? options = null)
    {
        _options = options?.Clone() ?? new IouTrackerOptions();
    }

    /// <summary>How many distinct tracks have been started.</summary>
    public int TracksStarted => _nextId - 1;

    /// <summary>Assigns track ids to one frame's detections.</summary>
    /// <param name="detections">The frame's detections (their <see cref="Detection.TrackId"/> is ignored).</param>
    /// <returns>The same detections, in the same order, each with its track id.</returns>
    public IReadOnlyList<Detection> Update(IReadOnlyList<Detection> detections)
    {
        ArgumentNullException.ThrowIfNull(detections);
        var result = new Detection[detections.Count];
        var candidates = new List<(float Iou, int Track, int Detection)>();
        for (int t = 0; t < _tracks.Count; t++)
        {
            for (int d = 0; d < detections.Count; d++)
            {
                if (_tracks[t].Label != detections[d].Label)
                {
                    continue;
                }

                float iou = _tracks[t].Box.IntersectionOverUnion(detections[d].Box);
                if (iou >= _options.IouThreshold)
                {
                    candidates.Add((iou, t, d));
                }
            }
        }

        // Highest overlap first; ties broken by track age (older track first) then detection order, so results are deterministic.
        candidates.Sort((a, b) => b.Iou != a.Iou ? b.Iou.CompareTo(a.Iou) : a.Track != b.Track ? a.Track.CompareTo(b.Track) : a.Detection.CompareTo(b.Detection));
        var trackUsed = new bool[_tracks.Count];
        var detectionUsed = new bool[detections.Count];
        foreach (var (_, t, d) in candidates)
        {
            if (trackUsed[t] || detectionUsed[d])
            {
                continue;
            }

            trackUsed[t] = detectionUsed[d] = true;
            _tracks[t].Box = detections[d].Box;
            _tracks[t].Missed = 0;
            result[d] = detections[d] with { TrackId = _tracks[t].Id };
        }

        for (int t = _tracks.Count - 1; t >= 0; t--)
        {
            if (!trackUsed[t] && ++_tracks[t].Missed > _options.MaxMissedFrames)
            {
                _tracks.RemoveAt(t);
            }
        }

        for (int d = 0; d < detections.Count; d++)
        {
            if (!detectionUsed[d])
            {
                var track = new Track(_nextId++, detections[d].Label, detections[d].Box);
                _tracks.Add(track);
                result[d] = detections[d] with { TrackId = track.Id };
            }
        }

        return result;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">A frame arrived out of order (the stage runs in parallel or unordered).</exception>
    public override ValueTask<DetectionFrame> ProcessAsync(DetectionFrame item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Frame.Index <= _lastFrame)
        {
            throw new InvalidOperationException($"the tracker received frame {item.Frame.Index} after frame {_lastFrame}; run it with MaxDegreeOfParallelism = 1 behind ordered stages");
        }

        _lastFrame = item.Frame.Index;
        return ValueTask.FromResult(item with { Detections = Update(item.Detections) });
    }

    private sealed class Track(int id, string label, BoundingBox box)
    {
        public int Id { get; } = id;

        public string Label { get; } = label;

        public BoundingBox Box { get; set; } = box;

        public int Missed { get; set; }
    }
}
