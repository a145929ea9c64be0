using System.Runtime.InteropServices;
using Flow.Stages.Video.Internal;
using OpenCvSharp;

namespace Flow.Stages.Video.Tests;

public class LibAvTests
{
    [Fact]
    public void PinnedRuntime_ExportsEveryFFmpegFunctionTheDecoderImports()
    {
        // The FFmpeg decoder calls the FFmpeg that OpenCvSharp's runtime links statically; an upgrade of
        // OpenCvSharp4.official.runtime.linux-x64 that stops exporting it must fail here, not at run time.
        nint library = NativeLibrary.Load(LibAv.Library, typeof(Cv2).Assembly, null);
        string[] missing = [.. LibAv.ImportedFunctions.Where(name => !NativeLibrary.TryGetExport(library, name, out _))];
        Assert.True(missing.Length == 0,
            $"lib{LibAv.Library}.so (package OpenCvSharp4.official.runtime.linux-x64) no longer exports {string.Join(", ", missing)}: " +
            "VideoDecoder.FFmpeg cannot work with this runtime; pin the previous version or make VideoDecoder.Auto use OpenCV");
    }

    [Fact]
    public void ImportedFunctions_NameEveryImportOfTheClass()
    {
        var imported = typeof(LibAv).GetMethods(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)
            .Where(m => m.Name.StartsWith("av", StringComparison.Ordinal) || m.Name.StartsWith("sws_", StringComparison.Ordinal))
            .Select(m => m.Name)
            .Distinct()
            .Order(StringComparer.Ordinal);
        Assert.Equal(imported, LibAv.ImportedFunctions.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Decoder_OnVtest_ReadsFFmpeg71sStructuresAsExpected()
    {
        // TryOpen checks the struct offsets against each other (the stream's parameters against the first decoded frame);
        // a runtime with another FFmpeg fails here with the reason instead of silently falling back to OpenCV.
        using var decoder = LibAvDecoder.TryOpen(TestFiles.Asset("vtest.avi"), threads: 1, out string? reason);
        Assert.True(decoder is not null, reason);
        Assert.Equal((768, 576, LibAv.PixelFormatYuv420P, 795L, 10.0), (decoder.Width, decoder.Height, decoder.PixelFormat, decoder.DeclaredFrameCount, decoder.FramesPerSecond));
    }
}
