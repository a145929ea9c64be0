using Flow.Pipeline;
using OpenCvSharp;

namespace Flow.Stages.Video.Tests;

public class VideoSourceTests
{
    private static async Task<(IReadOnlyList<long> Indexes, VideoSource Source)> ReadAllAsync(VideoSource source)
    {
        var builder = new PipelineBuilder();
        var indexes = builder.From(source, "decode").Then(f =>
        {
            long index = f.Index;
            f.Dispose();
            return index;
        }).Collect();
        await builder.Build().RunAsync();
        return (indexes.Items, source);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    [InlineData(37)]
    public async Task ReadAsync_MjpgFile_DecodesExactlyEveryFrameInOrder(int frames)
    {
        string clip = TestFiles.WriteNumberedClip(TestFiles.NewFolder(), frames);
        var (indexes, source) = await ReadAllAsync(VideoSource.FromFile(clip));
        Assert.Equal(Enumerable.Range(0, frames).Select(i => (long)i), indexes);
        Assert.Equal(frames, source.DeclaredFrameCount);
        Assert.Null(source.Error);
    }

    [Fact]
    public async Task ReadAsync_Vtest_Decodes795Frames()
    {
        var (indexes, source) = await ReadAllAsync(VideoSource.FromFile(TestFiles.Asset("vtest.avi")));
        Assert.Equal(795, indexes.Count);
        Assert.Equal((768, 576), source.FrameSize);
        Assert.Equal(10, source.FramesPerSecond, 3);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1)]
    public async Task ReadAsync_FramesDisposedAsTheyGo_DecodesIntoOneImageWithTheSamePixelsAsAFreshDecode(int? decoderThreads)
    {
        // Reference: OpenCV's own loop, a new Mat per frame.
        string path = TestFiles.Asset("vtest.avi");
        var expected = new List<Scalar>();
        using (var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG))
        {
            for (int i = 0; i < 30; i++)
            {
                using var mat = new Mat();
                Assert.True(capture.Read(mat));
                expected.Add(Cv2.Sum(mat));
            }
        }

        using var source = VideoSource.FromFile(path, new VideoSourceOptions { MaxFrames = 30, DecoderThreads = decoderThreads });
        await source.OpenAsync(null!, default);
        var sums = new List<Scalar>();
        var images = new HashSet<Mat>(ReferenceEqualityComparer.Instance);
        await foreach (var frame in source.ReadAsync(default))
        {
            images.Add(frame.Image);
            sums.Add(Cv2.Sum(frame.Image));
            frame.Dispose(); // gives the image back for the next frame
        }

        await source.CloseAsync(default);
        Assert.Equal(expected, sums);
        Assert.Single(images);
    }

    [Fact]
    public async Task ReadAhead_ThenRun_YieldsTheFramesReadAheadFirstAndEveryFrameOnceInOrder()
    {
        string clip = TestFiles.WriteNumberedClip(TestFiles.NewFolder(), 20);
        using var source = VideoSource.FromFile(clip);
        await source.OpenAsync(new StageContext("decode"), default);
        var ahead = Enumerable.Range(0, 5).Select(_ => source.ReadAhead()!).ToArray();
        Assert.Equal([0L, 1, 2, 3, 4], ahead.Select(f => f.Index));
        Assert.Equal(40, Cv2.Mean(ahead[4].Image).Val0, 0); // the frame's pixels are there to look at before the run
        Assert.Equal(5, source.FramesRead);

        var builder = new PipelineBuilder();
        var frames = builder.From(source, "decode").Then(f =>
        {
            using (f)
            {
                return (f.Index, Gray: Cv2.Mean(f.Image).Val0, Ahead: ahead.Contains(f));
            }
        }).Collect();
        await builder.Build().RunAsync(); // opens the source again: a no-op, the frames read ahead stay first

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), frames.Items.Select(f => f.Index));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i < 5), frames.Items.Select(f => f.Ahead));
        Assert.All(frames.Items, f => Assert.Equal(10 * f.Index, f.Gray, 0));
        Assert.Equal(20, source.FramesRead);
        Assert.Null(source.Error);
    }

    [Fact]
    public async Task ReadAhead_PastMaxFrames_ReturnsNullAndTheRunEndsThere()
    {
        string clip = TestFiles.WriteNumberedClip(TestFiles.NewFolder(), 10);
        using var source = VideoSource.FromFile(clip, new VideoSourceOptions { MaxFrames = 3 });
        await source.OpenAsync(new StageContext("decode"), default);
        Assert.NotNull(source.ReadAhead());
        Assert.NotNull(source.ReadAhead());
        Assert.NotNull(source.ReadAhead());
        Assert.Null(source.ReadAhead());

        var (indexes, _) = await ReadAllAsync(source);
        Assert.Equal([0L, 1, 2], indexes);
    }

    [Fact]
    public async Task ReadAhead_NotOpenLiveOrAlreadyRead_Throws()
    {
        string clip = TestFiles.WriteNumberedClip(TestFiles.NewFolder(), 4);
        using var closed = VideoSource.FromFile(clip);
        Assert.Contains("only after the source opened", Assert.Throws<InvalidOperationException>(() => closed.ReadAhead()).Message);
        using var live = VideoSource.FromUrl("rtsp://127.0.0.1:1/none");
        Assert.Equal("'rtsp://127.0.0.1:1/none' is a live input: its frames cannot be read ahead of the run", Assert.Throws<InvalidOperationException>(() => live.ReadAhead()).Message);

        using var read = VideoSource.FromFile(clip);
        await ReadAllAsync(read);
        Assert.Throws<InvalidOperationException>(() => read.ReadAhead());
    }

    [Theory]
    [InlineData(VideoDecoder.OpenCv)]
    [InlineData(VideoDecoder.FFmpeg)]
    public async Task Dispose_FramesReadAheadThatNoRunTook_ReleasesTheirImages(VideoDecoder decoder)
    {
        string clip = TestFiles.WriteNumberedClip(TestFiles.NewFolder(), 6);
        var source = VideoSource.FromFile(clip, new VideoSourceOptions { Decoder = decoder });
        await source.OpenAsync(new StageContext("decode"), default);
        var first = source.ReadAhead()!;
        var second = source.ReadAhead()!;
        var firstImage = first.Image; // FFmpeg's decoder: converted now, from the picture
        source.Dispose();
        Assert.Equal(decoder, source.Decoder);
        Assert.True(firstImage.IsDisposed);
        if (decoder == VideoDecoder.OpenCv)
        {
            Assert.True(second.Image.IsDisposed);
        }
        else
        {
            Assert.Null(second.Picture); // its YUV picture went back to FFmpeg, and it has no image to read
            Assert.Throws<ObjectDisposedException>(() => second.Image);
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(VideoSourceOptions.MaxPreallocatedImages + 1)]
    public void PreallocatedImages_OutOfRange_Throws(int images) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new VideoSourceOptions { PreallocatedImages = images });

    [Theory]
    [InlineData(1)]
    [InlineData(VideoSourceOptions.MaxPreallocatedImages)]
    public async Task ReadAsync_PreallocatedImages_GiveTheSamePixelsAsAFreshDecode(int images)
    {
        string path = TestFiles.Asset("vtest.avi");
        var expected = new List<Scalar>();
        using (var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG))
        {
            for (int i = 0; i < 20; i++)
            {
                using var mat = new Mat();
                Assert.True(capture.Read(mat));
                expected.Add(Cv2.Sum(mat));
            }
        }

        using var source = VideoSource.FromFile(path, new VideoSourceOptions { MaxFrames = 20, PreallocatedImages = images });
        await source.OpenAsync(new StageContext("decode"), default);
        var frames = new List<Frame>();
        await foreach (var frame in source.ReadAsync(default))
        {
            frames.Add(frame); // kept: every preallocated image is decoded into, then fresh ones
        }

        Assert.Equal(expected, frames.Select(f => Cv2.Sum(f.Image)));
        Assert.All(frames, f => Assert.Equal((768, 576, MatType.CV_8UC3), (f.Width, f.Height, f.Image.Type())));
        frames.ForEach(f => f.Dispose());
    }

    [Fact]
    public void DecoderThreads_Zero_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new VideoSourceOptions { DecoderThreads = 0 });

    [Fact]
    public async Task ReadAsync_MaxFrames_StopsThereWithoutError()
    {
        string clip = TestFiles.WriteNumberedClip(TestFiles.NewFolder(), 20);
        var (indexes, source) = await ReadAllAsync(VideoSource.FromFile(clip, new VideoSourceOptions { MaxFrames = 7 }));
        Assert.Equal(7, indexes.Count);
        Assert.Null(source.Error);
    }

    [Fact]
    public async Task ReadAsync_FrameContent_MatchesWhatWasWritten()
    {
        string clip = TestFiles.WriteNumberedClip(TestFiles.NewFolder(), 6);
        var builder = new PipelineBuilder();
        var grays = builder.From(VideoSource.FromFile(clip), "decode").Then(f =>
        {
            using (f)
            {
                return Cv2.Mean(f.Image).Val0;
            }
        }).Collect();
        await builder.Build().RunAsync();
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(10 * i, grays.Items[i], 0); // MJPG is lossy: within 0.5 of the written level
        }
    }

    [Theory]
    [InlineData(VideoDecoder.OpenCv)]
    [InlineData(VideoDecoder.FFmpeg)]
    public async Task ReadAsync_TruncatedFile_PassesFramesBeforeTheDamageThenReportsIt(VideoDecoder decoder)
    {
        string folder = TestFiles.NewFolder();
        string clip = TestFiles.WriteNumberedClip(folder, 40, 320, 240);
        string damaged = Path.Combine(folder, "damaged.avi");
        byte[] bytes = await File.ReadAllBytesAsync(clip);
        await File.WriteAllBytesAsync(damaged, bytes[..(bytes.Length / 2)]);

        var (indexes, source) = await ReadAllAsync(VideoSource.FromFile(damaged, new VideoSourceOptions { Decoder = decoder }));

        Assert.Equal(decoder, source.Decoder);
        Assert.InRange(indexes.Count, 5, 39);
        Assert.Equal(Enumerable.Range(0, indexes.Count).Select(i => (long)i), indexes);
        Assert.NotNull(source.Error);
        Assert.Equal($"video file '{damaged}' is truncated or corrupt: decoding stopped after {indexes.Count} of 40 frames", source.Error!.Message);
        Assert.Equal(indexes.Count, source.Error.FramesRead);
    }

    [Fact]
    public async Task ReadAsync_TruncatedFileWithFFmpegsDecoder_StopsAtTheFrameOpenCvStopsAt()
    {
        string folder = TestFiles.NewFolder();
        string clip = TestFiles.WriteNumberedClip(folder, 40, 320, 240);
        byte[] bytes = await File.ReadAllBytesAsync(clip);
        foreach (int cut in new[] { bytes.Length / 3, bytes.Length / 2, bytes.Length * 9 / 10 })
        {
            string damaged = Path.Combine(folder, $"damaged{cut}.avi");
            await File.WriteAllBytesAsync(damaged, bytes[..cut]);
            var (openCv, openCvSource) = await ReadAllAsync(VideoSource.FromFile(damaged, new VideoSourceOptions { Decoder = VideoDecoder.OpenCv }));
            var (ffmpeg, ffmpegSource) = await ReadAllAsync(VideoSource.FromFile(damaged, new VideoSourceOptions { Decoder = VideoDecoder.FFmpeg }));
            Assert.Equal(openCv, ffmpeg);
            Assert.Equal(openCvSource.Error?.Message, ffmpegSource.Error?.Message);
        }
    }

    [Theory]
    [InlineData("vtest.avi", 0)]
    [InlineData("numbered", 40)]
    public async Task ReadAsync_FFmpegDecoder_GivesOpenCvsFramesByteForByte(string input, int frames)
    {
        string path = input == "numbered" ? TestFiles.WriteNumberedClip(TestFiles.NewFolder(), frames, 320, 240) : TestFiles.Asset(input);
        using var openCv = VideoSource.FromFile(path, new VideoSourceOptions { Decoder = VideoDecoder.OpenCv, DecoderThreads = 1 });
        using var ffmpeg = VideoSource.FromFile(path, new VideoSourceOptions { Decoder = VideoDecoder.Auto, DecoderThreads = 1 });
        await openCv.OpenAsync(new StageContext("decode"), default);
        await ffmpeg.OpenAsync(new StageContext("decode"), default);
        Assert.Equal((VideoDecoder.OpenCv, VideoDecoder.FFmpeg), (openCv.Decoder, ffmpeg.Decoder));
        Assert.Null(ffmpeg.DecoderFallbackReason);
        Assert.Equal((openCv.DeclaredFrameCount, openCv.FramesPerSecond, openCv.ReportedFramesPerSecond, openCv.FrameSize), (ffmpeg.DeclaredFrameCount, ffmpeg.FramesPerSecond, ffmpeg.ReportedFramesPerSecond, ffmpeg.FrameSize));

        await using var expected = openCv.ReadAsync(default).GetAsyncEnumerator();
        await using var actual = ffmpeg.ReadAsync(default).GetAsyncEnumerator();
        int count = 0;
        while (await expected.MoveNextAsync())
        {
            Assert.True(await actual.MoveNextAsync(), $"FFmpeg's decoder ended after {count} frames");
            using var want = expected.Current;
            using var got = actual.Current;
            Assert.Equal((want.Index, want.Timestamp, want.Width, want.Height), (got.Index, got.Timestamp, got.Width, got.Height));
            Assert.NotNull(got.Picture); // not converted until read
            Assert.Equal((want.Image.Type(), want.Image.Size()), (got.Image.Type(), got.Image.Size()));
            Assert.True(want.Image.AsSpan<byte>().SequenceEqual(got.Image.AsSpan<byte>()), $"frame {count}: the BGR bytes differ");
            count++;
        }

        Assert.False(await actual.MoveNextAsync(), $"FFmpeg's decoder has more than OpenCV's {count} frames");
        Assert.Equal(openCv.DeclaredFrameCount, count);
        Assert.Null(ffmpeg.Error);
    }

    [Fact]
    public async Task OpenAsync_AutoOnAFileFFmpegsDecoderDoesNotTake_DecodesWithOpenCvSayingWhy()
    {
        string clip = TestFiles.WriteNumberedClip(TestFiles.NewFolder(), 5, 100, 60);
        var (indexes, source) = await ReadAllAsync(VideoSource.FromFile(clip));
        Assert.Equal(VideoDecoder.OpenCv, source.Decoder);
        Assert.Equal($"FFmpeg's decoder not used for '{clip}': its size 100x60 is not a multiple of 16 wide and 2 high; decoding with OpenCV", source.DecoderFallbackReason);
        Assert.Equal([0L, 1, 2, 3, 4], indexes);
    }

    [Fact]
    public async Task OpenAsync_FFmpegDecoderOnAFileItDoesNotTake_FailsSayingWhy()
    {
        string clip = TestFiles.WriteNumberedClip(TestFiles.NewFolder(), 5, 100, 60);
        using var source = VideoSource.FromFile(clip, new VideoSourceOptions { Decoder = VideoDecoder.FFmpeg });
        var error = await Assert.ThrowsAsync<VideoSourceException>(() => source.OpenAsync(new StageContext("decode"), default).AsTask());
        Assert.Equal($"video file '{clip}' cannot be read with FFmpeg's decoder directly: its size 100x60 is not a multiple of 16 wide and 2 high (use OpenCV's decoder)", error.Message);
    }

    [Fact]
    public void Decoder_NotAValue_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new VideoSourceOptions { Decoder = (VideoDecoder)7 });

    [Fact]
    public async Task OpenAsync_MissingFile_FailsNamingIt()
    {
        var ex = await Assert.ThrowsAsync<StageFailedException>(() => ReadAllAsync(VideoSource.FromFile("/no/such/clip.mp4")));
        var inner = Assert.IsType<VideoSourceException>(ex.InnerException);
        Assert.Equal("video file '/no/such/clip.mp4' not found", inner.Message);
        Assert.Equal("decode", ex.StageName);
    }

    [Fact]
    public async Task OpenAsync_NotAVideo_FailsSayingItCannotBeDecoded()
    {
        string path = Path.Combine(TestFiles.NewFolder(), "notes.mp4");
        await File.WriteAllTextAsync(path, "this is not a video");
        var ex = await Assert.ThrowsAsync<StageFailedException>(() => ReadAllAsync(VideoSource.FromFile(path)));
        Assert.StartsWith($"video file '{path}' cannot be decoded", ex.InnerException!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_NoSuchCamera_FailsNamingTheIndexWithoutHanging()
    {
        var ex = await Assert.ThrowsAsync<StageFailedException>(() => ReadAllAsync(VideoSource.FromCamera(57)));
        Assert.Equal("camera 57 cannot be opened (no such device /dev/video57, or it is busy)", ex.InnerException!.Message);
    }

    [Fact]
    public async Task ReadAsync_ImageFolder_ReadsImagesInNameOrderAndSkipsAnUnreadableOneWithARecord()
    {
        string folder = TestFiles.NewFolder();
        for (int i = 0; i < 3; i++)
        {
            using var image = new Mat(40, 60, MatType.CV_8UC3, Scalar.All(50 * i));
            Cv2.ImWrite(Path.Combine(folder, $"img{i}.png"), image);
        }

        string broken = Path.Combine(folder, "img3.jpg");
        await File.WriteAllTextAsync(broken, "broken");
        for (int i = 4; i < 6; i++)
        {
            using var late = new Mat(40, 60, MatType.CV_8UC3, Scalar.All(30 * i));
            Cv2.ImWrite(Path.Combine(folder, $"img{i}.png"), late);
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "readme.txt"), "ignored");
        var source = VideoSource.FromImageFolder(folder);
        var builder = new PipelineBuilder();
        var frames = builder.From(source, "decode").Then(f =>
        {
            using (f)
            {
                return (f.Index, f.Timestamp, Gray: Cv2.Mean(f.Image).Val0);
            }
        }).Collect();

        await builder.Build().RunAsync();

        // Every readable image, the ones after the broken one included; the broken one keeps its index (3).
        Assert.Equal([0L, 1L, 2L, 4L, 5L], frames.Items.Select(f => f.Index));
        Assert.Equal([0, 50, 100, 120, 150], frames.Items.Select(f => (int)Math.Round(f.Gray))); // PNG is lossless: the written levels
        Assert.Equal(TimeSpan.FromSeconds(4 / source.FramesPerSecond), frames.Items[3].Timestamp);
        Assert.Equal(6, source.DeclaredFrameCount);
        Assert.Equal(5, source.FramesRead);
        Assert.Null(source.Error);
        var skipped = Assert.Single(source.SkippedImages);
        Assert.Equal(("decode", 3L, (object?)broken), (skipped.Stage, skipped.Sequence, skipped.Item));
        Assert.Equal($"image '{broken}' (frame 3 of folder '{folder}') skipped: it cannot be decoded (damaged, or not an image in the format its extension names)", skipped.Reason);
        var cause = Assert.IsType<VideoSourceException>(skipped.Exception);
        Assert.Equal((broken, 3L), (cause.Input, cause.FramesRead));
    }

    [Fact]
    public async Task OpenAsync_ImageFolderWhoseFirstImageIsEmpty_TakesTheFrameSizeFromTheNextAndSkipsIt()
    {
        string folder = TestFiles.NewFolder();
        string empty = Path.Combine(folder, "a.png");
        await File.WriteAllBytesAsync(empty, []);
        using (var image = new Mat(40, 60, MatType.CV_8UC3, Scalar.All(80)))
        {
            Cv2.ImWrite(Path.Combine(folder, "b.png"), image);
        }

        var (indexes, source) = await ReadAllAsync(VideoSource.FromImageFolder(folder));

        Assert.Equal([1L], indexes);
        Assert.Equal((60, 40), source.FrameSize);
        Assert.Equal($"image '{empty}' (frame 0 of folder '{folder}') skipped: the file is empty", Assert.Single(source.SkippedImages).Reason);
    }

    [Fact]
    public async Task ReadAsync_ImageFolderWithMaxFrames_CountsASkippedImageAsAFrameIndex()
    {
        string folder = TestFiles.NewFolder();
        await File.WriteAllTextAsync(Path.Combine(folder, "a.jpg"), "broken");
        for (int i = 0; i < 3; i++)
        {
            using var image = new Mat(20, 20, MatType.CV_8UC3);
            Cv2.ImWrite(Path.Combine(folder, $"b{i}.png"), image);
        }

        var (indexes, source) = await ReadAllAsync(VideoSource.FromImageFolder(folder, new VideoSourceOptions { MaxFrames = 2 }));

        Assert.Equal([1L], indexes);
        Assert.Single(source.SkippedImages);
    }

    [Fact]
    public async Task OpenAsync_EmptyFolder_FailsNamingIt()
    {
        string folder = TestFiles.NewFolder();
        var ex = await Assert.ThrowsAsync<StageFailedException>(() => ReadAllAsync(VideoSource.FromImageFolder(folder)));
        Assert.StartsWith($"image folder '{folder}' has no images", ex.InnerException!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", VideoInputKind.Camera)]
    [InlineData("12", VideoInputKind.Camera)]
    [InlineData("rtsp://camera.local/stream", VideoInputKind.Url)]
    [InlineData("http://host/video.mp4", VideoInputKind.Url)]
    [InlineData("clip.mp4", VideoInputKind.File)]
    [InlineData("/tmp", VideoInputKind.ImageFolder)]
    public void Parse_Input_ChoosesTheKind(string input, VideoInputKind expected)
    {
        using var source = VideoSource.Parse(input);
        Assert.Equal(expected, source.Kind);
        Assert.Equal(expected is VideoInputKind.Camera or VideoInputKind.Url, source.IsLive);
    }
}
