namespace Flow.Apps.VideoDetect;

/// <summary>Settings of <see cref="SyntheticFaceClip.Generate"/>.</summary>
public sealed class SyntheticClipOptions
{
    private int _frameCount = 60;
    private int _width = 640;
    private int _height = 360;
    private int _faceSize = 110;
    private int _framesPerBackground = 30;

    /// <summary>Frames to generate.</summary>
    /// <value>The default is 60.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int FrameCount
    {
        get => _frameCount;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(FrameCount));
            _frameCount = value;
        }
    }

    /// <summary>Frame width in pixels.</summary>
    /// <value>The default is 640.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 320.</exception>
    public int Width
    {
        get => _width;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 320, nameof(Width));
            _width = value;
        }
    }

    /// <summary>Frame height in pixels.</summary>
    /// <value>The default is 360.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 240.</exception>
    public int Height
    {
        get => _height;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 240, nameof(Height));
            _height = value;
        }
    }

    /// <summary>The mean side of a face box in pixels (each face grows and shrinks by ±15 % around it).</summary>
    /// <value>The default is 110.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 24 or above 130 (a face, grown by 15 % and with its margin, must fit a 240-pixel-high frame).</exception>
    public int FaceSize
    {
        get => _faceSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 24, nameof(FaceSize));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 130, nameof(FaceSize));
            _faceSize = value;
        }
    }

    /// <summary>Frames between background changes (a cut behind the moving faces).</summary>
    /// <value>The default is 30.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int FramesPerBackground
    {
        get => _framesPerBackground;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(FramesPerBackground));
            _framesPerBackground = value;
        }
    }

    /// <summary>The frame rate written into the video.</summary>
    /// <value>The default is 10.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero, negative or not finite.</exception>
    public double FramesPerSecond
    {
        get;
        set
        {
            if (!(value > 0 && double.IsFinite(value)))
            {
                throw new ArgumentOutOfRangeException(nameof(FramesPerSecond), value, "the frame rate must be positive");
            }

            field = value;
        }
    } = 10;

    /// <summary>Returns a copy.</summary>
    /// <returns>A new options object with the same values.</returns>
    public SyntheticClipOptions Clone() => (SyntheticClipOptions)MemberwiseClone();
}
