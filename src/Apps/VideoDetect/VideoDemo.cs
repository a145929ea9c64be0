namespace Flow.Apps.VideoDetect;

internal static class VideoDemo
{
    public static Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine("video demo: not implemented yet");
        return Task.FromResult(1);
    }
}
