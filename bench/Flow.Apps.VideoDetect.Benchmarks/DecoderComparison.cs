using Flow.Apps.VideoDetect;
using Flow.Stages.Video;
using Flow.Stages.Video.Internal;
using OpenCvSharp;

/// <summary>
/// `decoders` mode: OpenCV's VideoCapture.Read + letterbox against FFmpeg's decoder (through OpenCvSharp's runtime) + a
/// letterbox that converts only the rows the resize reads. First checks, frame by frame, that both give the same frames,
/// the same BGR bytes (whole conversion) and the same tensors; then times each variant on the calling thread (thread CPU
/// time), the variants alternated, one FFmpeg decoding thread each.
/// </summary>
internal static class DecoderComparison
{
    public static void Run(string input, TensorFormat format, int repeat)
    {
        Verify(input, format);
        var variants = new (string Name, Func<string, TensorFormat, int> Body)[]
        {
            ("opencv read + letterbox", OpenCvRead),
            ("ffmpeg decode + row letterbox", LibAvRead),
            ("opencv read only", (p, f) => OpenCvRead(p, null)),
            ("ffmpeg decode only", (p, f) => LibAvRead(p, null)),
            ("ffmpeg decode + whole BGR conversion", LibAvWhole),
        };
        var results = variants.Select(_ => new List<double>()).ToArray();
        for (int round = -1; round < repeat; round++)
        {
            for (int k = 0; k < variants.Length; k++)
            {
                int v = round % 2 == 0 ? k : variants.Length - 1 - k;
                GC.Collect();
                double start = FrameCostProbe.ThreadMilliseconds();
                int frames = variants[v].Body(input, format);
                double ms = (FrameCostProbe.ThreadMilliseconds() - start) / frames;
                if (round >= 0)
                {
                    results[v].Add(ms);
                }
            }
        }

        for (int v = 0; v < variants.Length; v++)
        {
            var sorted = results[v].Order().ToArray();
            var ratios = results[v].Select((ms, r) => ms / results[0][r]).Order().ToArray();
            Console.WriteLine($"  {variants[v].Name}: median {sorted[sorted.Length / 2]:0.000} CPU ms/frame (rounds {string.Join(" ", results[v].Select(ms => $"{ms:0.000}"))}); ÷ opencv read + letterbox: median {ratios[ratios.Length / 2]:0.000}, {ratios[0]:0.000}-{ratios[^1]:0.000}");
        }
    }

    private static void Verify(string input, TensorFormat format)
    {
        using var capture = new VideoCapture(input, VideoCaptureAPIs.FFMPEG, [70, 1]);
        using var decoder = LibAvDecoder.TryOpen(input, 1, out string? reason) ?? throw new InvalidOperationException(reason);
        using var image = new Mat();
        using var whole = new Mat(decoder.Height, decoder.Width, MatType.CV_8UC3);
        var expected = new float[format.Length];
        var actual = new float[format.Length];
        int frames = 0, bgrDifferent = 0, tensorDifferent = 0;
        var transform = LetterboxTransform.Compute(decoder.Width, decoder.Height, format.Width, format.Height);
        while (true)
        {
            bool read = capture.Read(image) && !image.Empty();
            nint picture = decoder.Read();
            if (!read || picture == 0)
            {
                Console.WriteLine($"verify {Path.GetFileName(input)} {format.Width}: {frames} frames; opencv {(read ? "has more" : "ended")}, ffmpeg {(picture != 0 ? "has more" : "ended")}; " +
                    $"frames with different BGR bytes {bgrDifferent}, with a different tensor {tensorDifferent}; runs {string.Join(" ", FrameTensors.SourceRows(decoder.Width, decoder.Height, transform.ScaledWidth, transform.ScaledHeight).Take(4))}...; fps {decoder.FramesPerSecond} vs {capture.Fps}, count {decoder.DeclaredFrameCount} vs {capture.FrameCount}");
                if (picture != 0)
                {
                    decoder.Release(picture);
                }

                return;
            }

            var yuv = new YuvPicture(picture, decoder.Width, decoder.Height, decoder.PixelFormat, decoder.Release);
            yuv.ConvertAll(whole);
            if (!image.AsSpan<byte>().SequenceEqual(whole.AsSpan<byte>()))
            {
                bgrDifferent++;
            }

            FrameTensors.Fill(image, transform, format, expected);
            FrameTensors.Fill(yuv, transform, format, actual);
            if (!expected.AsSpan().SequenceEqual(actual))
            {
                tensorDifferent++;
            }

            yuv.Release();
            frames++;
        }
    }

    private static int OpenCvRead(string input, TensorFormat? format)
    {
        using var capture = new VideoCapture(input, VideoCaptureAPIs.FFMPEG, [70, 1]);
        using var image = new Mat();
        var tensor = format is null ? null : new float[format.Length];
        int frames = 0;
        while (capture.Read(image) && !image.Empty())
        {
            if (format is not null)
            {
                FrameTensors.Fill(image, LetterboxTransform.Compute(image.Width, image.Height, format.Width, format.Height), format, tensor);
            }

            frames++;
        }

        return frames;
    }

    private static int LibAvRead(string input, TensorFormat? format)
    {
        using var decoder = LibAvDecoder.TryOpen(input, 1, out string? reason) ?? throw new InvalidOperationException(reason);
        var tensor = format is null ? null : new float[format.Length];
        int frames = 0;
        nint picture;
        while ((picture = decoder.Read()) != 0)
        {
            var yuv = new YuvPicture(picture, decoder.Width, decoder.Height, decoder.PixelFormat, decoder.Release);
            if (format is not null)
            {
                FrameTensors.Fill(yuv, LetterboxTransform.Compute(decoder.Width, decoder.Height, format.Width, format.Height), format, tensor);
            }

            yuv.Release();
            frames++;
        }

        return frames;
    }

    private static int LibAvWhole(string input, TensorFormat format)
    {
        using var decoder = LibAvDecoder.TryOpen(input, 1, out string? reason) ?? throw new InvalidOperationException(reason);
        using var whole = new Mat(decoder.Height, decoder.Width, MatType.CV_8UC3);
        int frames = 0;
        nint picture;
        while ((picture = decoder.Read()) != 0)
        {
            var yuv = new YuvPicture(picture, decoder.Width, decoder.Height, decoder.PixelFormat, decoder.Release);
            yuv.ConvertAll(whole);
            yuv.Release();
            frames++;
        }

        return frames;
    }
}
