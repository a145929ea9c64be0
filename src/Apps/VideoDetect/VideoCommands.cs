using System.CommandLine;

namespace Flow.Apps.VideoDetect;

/// <summary>
/// The <c>flow video</c> command and the video part of the main-job demo, for the <c>flow</c> CLI to wire in.
/// </summary>
public static class VideoCommands
{
    /// <summary>
    /// Creates the <c>video</c> command: detects faces or people in a video file, an image folder, a
    /// camera or a stream URL, tracks them, and writes an annotated video, JSON lines and snapshots.
    /// </summary>
    /// <returns>The command, with its options and action.</returns>
    public static Command Create() => VideoCommandLine.Create();

    /// <summary>
    /// Runs the video part of the main-job demo on embedded defaults (the project's fetched assets):
    /// BlazeFace on a generated clip with known face boxes, and HOG people detection on the start of
    /// <c>vtest.avi</c>; writes annotated videos and JSON lines under a temporary folder and prints the
    /// reports and accuracy to <paramref name="output"/>.
    /// </summary>
    /// <param name="output">Where the report is printed.</param>
    /// <param name="cancellationToken">Stops the demo.</param>
    /// <returns>0 on success; 1 when the assets are missing or a run fails (the reason is printed).</returns>
    public static Task<int> RunDemoAsync(TextWriter output, CancellationToken cancellationToken) => VideoDemo.RunAsync(output, cancellationToken);
}
