using System.CommandLine;

namespace Flow.Apps.VideoDetect;

internal static class VideoCommandLine
{
    public static Command Create()
    {
        var command = new Command("video", "Detect and track faces or people in a video file, image folder, camera or stream URL.");
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(0));
        return command;
    }
}
