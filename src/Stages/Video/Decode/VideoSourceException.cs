namespace Flow.Stages.Video;

/// <summary>
/// A video input cannot be opened, decoding stopped before the end (a truncated or corrupt file), or
/// an image of a folder cannot be decoded (then it is the cause in that image's record in
/// <see cref="VideoSource.SkippedImages"/>, and the run goes on). The message is one line naming the input
/// and the cause.
/// </summary>
public sealed class VideoSourceException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="input">The file, folder, camera index or URL (for a skipped image: the image).</param>
    /// <param name="message">One line naming the input and the cause.</param>
    /// <param name="framesRead">How many frames were read before the problem.</param>
    public VideoSourceException(string input, string message, long framesRead = 0)
        : base(message)
    {
        Input = input;
        FramesRead = framesRead;
    }

    /// <summary>The file, folder, camera index or URL (for a skipped image: the image).</summary>
    public string Input { get; }

    /// <summary>How many frames were read (and passed on) before the problem.</summary>
    public long FramesRead { get; }
}
