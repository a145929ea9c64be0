namespace Flow.Apps.VideoDetect.Tests;

/// <summary>Generated clips with known faces, made once per test run (the generator is deterministic).</summary>
internal static class TestClips
{
    private static readonly Lazy<GroundTruthClip> Short = new(() =>
        SyntheticFaceClip.Generate(Path.Combine(NewFolder(), "faces24.avi"), new SyntheticClipOptions { FrameCount = 24, FramesPerBackground = 8 }));

    private static readonly Lazy<GroundTruthClip> Measurable = new(() =>
        SyntheticFaceClip.Generate(Path.Combine(NewFolder(), "faces100.avi"), new SyntheticClipOptions { FrameCount = (int)FrameCostProbe.MinFrames, FramesPerBackground = 25 }));

    /// <summary>24 frames, 3 moving faces, a new background every 8 frames.</summary>
    public static GroundTruthClip Faces24 => Short.Value;

    /// <summary>The shortest clip whose decoding and detection costs the job measures (100 frames), a new background every 25.</summary>
    public static GroundTruthClip Faces100 => Measurable.Value;

    public static string NewFolder()
    {
        string path = Path.Combine(Path.GetTempPath(), "flow-videodetect-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static string Asset(string name)
    {
        string path = VideoAssets.PathOf(name);
        Assert.True(File.Exists(path), $"{path} is missing: run scripts/setup.sh");
        return path;
    }
}
