namespace Flow.Stages.Video;

/// <summary>Settings of the <see cref="IouTracker"/>.</summary>
public sealed class IouTrackerOptions
{
    private float _iouThreshold = 0.3f;
    private int _maxMissedFrames = 5;

    /// <summary>The least overlap between a track's last box and a detection for them to be matched.</summary>
    /// <value>The default is 0.3.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside (0, 1].</exception>
    public float IouThreshold
    {
        get => _iouThreshold;
        set
        {
            if (!(value > 0 && value <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(IouThreshold), value, "the IoU threshold must be in (0, 1]");
            }

            _iouThreshold = value;
        }
    }

    /// <summary>How many consecutive frames a track may go unmatched before it ends (its id is never reused).</summary>
    /// <value>The default is 5.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxMissedFrames
    {
        get => _maxMissedFrames;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(MaxMissedFrames));
            _maxMissedFrames = value;
        }
    }

    /// <summary>Returns a copy, so later changes to this object do not reach a tracker.</summary>
    /// <returns>A new options object with the same values.</returns>
    public IouTrackerOptions Clone() => (IouTrackerOptions)MemberwiseClone();
}
