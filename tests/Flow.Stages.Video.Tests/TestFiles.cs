using OpenCvSharp;

namespace Flow.Stages.Video.Tests;

/// <summary>Temporary files and the fetched assets (scripts/setup.sh puts them in .assets/video).</summary>
internal static class TestFiles
{
    public static string Assets
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, ".assets", "video");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException(".assets/video not found: run scripts/setup.sh (it fetches the BlazeFace models and test media)");
        }
    }

    public static string Asset(string name)
    {
        string path = Path.Combine(Assets, name);
        Assert.True(File.Exists(path), $"{path} is missing: run scripts/setup.sh");
        return path;
    }

    public static string NewFolder()
    {
        string path = Path.Combine(Path.GetTempPath(), "flow-video-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Writes an MJPG .avi whose frame i is filled with gray level 10 * i (so frames are identifiable).</summary>
    public static string WriteNumberedClip(string folder, int frames, int width = 160, int height = 120, string name = "clip.avi")
    {
        string path = Path.Combine(folder, name);
        using var writer = new VideoWriter(path, FourCC.FromFourChars('M', 'J', 'P', 'G'), 10, new Size(width, height));
        Assert.True(writer.IsOpened());
        for (int i = 0; i < frames; i++)
        {
            using var image = new Mat(height, width, MatType.CV_8UC3, Scalar.All(10 * (i % 25)));
            writer.Write(image);
        }

        return path;
    }

    public static Frame FrameOf(Mat image, long index = 0) => new(index, TimeSpan.Zero, image, "test");
}
