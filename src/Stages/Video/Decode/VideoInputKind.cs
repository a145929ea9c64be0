namespace Flow.Stages.Video;

/// <summary>What a <see cref="VideoSource"/> reads.</summary>
public enum VideoInputKind
{
    /// <summary>A video file decoded by OpenCV's bundled FFmpeg (.mp4, .avi, ...). Every frame is processed.</summary>
    File,

    /// <summary>A folder of images (.jpg, .jpeg, .png, .bmp), read in ordinal name order. Every image is processed.</summary>
    ImageFolder,

    /// <summary>A camera by index (/dev/videoN). Live: frames arrive at the camera's pace.</summary>
    Camera,

    /// <summary>A stream URL (rtsp://, http://, ...) read by FFmpeg. Live.</summary>
    Url,
}
