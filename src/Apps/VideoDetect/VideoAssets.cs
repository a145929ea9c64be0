namespace Flow.Apps.VideoDetect;

/// <summary>
/// Finds the models and media that <c>scripts/assets/video.sh</c> fetches into <c>.assets/video/</c>.
/// </summary>
public static class VideoAssets
{
    /// <summary>The environment variable that overrides where the assets are.</summary>
    public const string EnvironmentVariable = "FLOW_VIDEO_ASSETS";

    /// <summary>
    /// The assets folder: <see cref="EnvironmentVariable"/> when set, otherwise the first
    /// <c>.assets/video</c> found walking up from the current directory, then from the application's folder.
    /// </summary>
    /// <returns>The folder (it may not exist when set-up has not run).</returns>
    public static string Directory
    {
        get
        {
            if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } overridden)
            {
                return overridden;
            }

            foreach (var start in new[] { System.IO.Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    string candidate = Path.Combine(dir.FullName, ".assets", "video");
                    if (System.IO.Directory.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }

            return Path.Combine(System.IO.Directory.GetCurrentDirectory(), ".assets", "video");
        }
    }

    /// <summary>The path of an asset file by name (it may not exist).</summary>
    /// <param name="fileName">The file name, e.g. <c>vtest.avi</c>.</param>
    /// <returns>The full path.</returns>
    public static string PathOf(string fileName) => Path.Combine(Directory, fileName);

    /// <summary>The BlazeFace ONNX file of a variant (front: 128×128, back: 256×256).</summary>
    /// <param name="back">Whether the back (256×256) model is wanted.</param>
    /// <returns>The full path.</returns>
    public static string BlazeFaceModel(bool back) =>
        PathOf(back ? "face_detection_back_256x256_barracuda.onnx" : "face_detection_front_128x128_barracuda.onnx");
}
