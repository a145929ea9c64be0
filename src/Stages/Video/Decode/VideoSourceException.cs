namespace Flow.Stages.Video;

/// <summary>
/// A video input cannot be opened, or decoding stopped before the end (a truncated or corrupt file,
/// an unreadable image). The message is one line naming the input and the cause.
/// </summary>
public sealed class VideoSourceException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="input">The file, folder, camera index or URL.</param>
    /// <param name="message">One line naming the input and the cause.</param>
    /// <param name="framesRead">How many frames were read before the problem.</param>
    public VideoSourceException(string input, string message, long framesRead = 0)
        : base(message)
    {
        Input = input;
        FramesRead = framesRead;
    }

    /// <summary>The file, folder, camera index or URL.</summary>
    public string Input { get; }

    /// <summary>How many frames were read (and passed on) before the problem.</summary>
    public long FramesRead { get; }
}
