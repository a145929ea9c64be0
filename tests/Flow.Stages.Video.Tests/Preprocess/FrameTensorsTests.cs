using Flow.Pipeline;
using OpenCvSharp;

namespace Flow.Stages.Video.Tests;

public class FrameTensorsTests
{
    [Fact]
    public void Letterbox_BlazeFaceFormat_PadsWithMinusOneAndConvertsBgrToRgbInMinusOneToOne()
    {
        // B=0, G=128, R=255 everywhere; 640x360 into 128x128: rows 0..27 and 100..127 are padding.
        using var image = new Mat(360, 640, MatType.CV_8UC3, new Scalar(0, 128, 255));
        var format = new BlazeFaceOptions().InputFormat;
        var tensor = FrameTensors.Letterbox(TestFiles.FrameOf(image), format);

        Assert.Equal(128 * 128 * 3, tensor.Tensor.Length);
        Assert.Equal(28f, tensor.Transform.PadY);
        int Pixel(int x, int y) => ((y * 128) + x) * 3;
        Assert.Equal(-1f, tensor.Tensor[Pixel(64, 0)]);
        Assert.Equal(-1f, tensor.Tensor[Pixel(64, 127) + 2]);
        int inside = Pixel(64, 64);
        Assert.Equal(1f, tensor.Tensor[inside], 4);                    // R = 255
        Assert.Equal((128 * 2f / 255f) - 1f, tensor.Tensor[inside + 1], 4); // G = 128
        Assert.Equal(-1f, tensor.Tensor[inside + 2], 4);               // B = 0
    }

    [Fact]
    public void Letterbox_NchwFormat_WritesChannelPlanes()
    {
        using var image = new Mat(64, 64, MatType.CV_8UC3, new Scalar(255, 0, 51)); // B=255, R=51
        var format = new TensorFormat(32, 32, TensorLayout.Nchw, Rgb: true, Scale: 1f / 255f, Offset: 0f);
        var tensor = FrameTensors.Letterbox(TestFiles.FrameOf(image), format);
        int plane = 32 * 32;
        Assert.Equal(0.2f, tensor.Tensor[5], 4);             // R plane
        Assert.Equal(0f, tensor.Tensor[plane + 5], 4);       // G plane
        Assert.Equal(1f, tensor.Tensor[(2 * plane) + 5], 4); // B plane
    }

    [Fact]
    public void Letterbox_AfterARelease_ReusesTheArrayAndOverwritesEveryValue()
    {
        // A size no other test uses, so the pool hands this test's own array back.
        var format = new TensorFormat(31, 29, TensorLayout.Nhwc, Rgb: true, Scale: 1f / 255f, Offset: 0f);
        using var white = new Mat(29, 31, MatType.CV_8UC3, Scalar.All(255));
        var first = FrameTensors.Letterbox(TestFiles.FrameOf(white), format);
        var array = first.Tensor;
        first.ReleaseTensor();

        // Wide and dark: rows of padding where the white image had pixels.
        using var wide = new Mat(20, 93, MatType.CV_8UC3, new Scalar(10, 20, 30));
        var second = FrameTensors.Letterbox(TestFiles.FrameOf(wide), format);
        Assert.Same(array, second.Tensor);
        var fresh = new float[format.Length];
        FrameTensors.Fill(wide, second.Transform, format, fresh);
        Assert.Equal(fresh, second.Tensor);
    }

    [Fact]
    public void ReleaseTensor_ThenTensor_ThrowsAndReleasingAgainIsHarmless()
    {
        using var image = new Mat(16, 16, MatType.CV_8UC3, Scalar.All(0));
        var tensor = FrameTensors.Letterbox(TestFiles.FrameOf(image), new BlazeFaceOptions().InputFormat);
        Assert.False(tensor.IsReleased);
        tensor.ReleaseTensor();
        tensor.ReleaseTensor();
        Assert.True(tensor.IsReleased);
        Assert.Throws<ObjectDisposedException>(() => tensor.Tensor);
    }

    [Fact]
    public void Fill_GrayImage_ThrowsNamingTheType()
    {
        using var gray = new Mat(10, 10, MatType.CV_8UC1, Scalar.All(0));
        var format = new BlazeFaceOptions().InputFormat;
        var ex = Assert.Throws<ArgumentException>(() => FrameTensors.Fill(gray, LetterboxTransform.Compute(10, 10, 128, 128), format, new float[format.Length]));
        Assert.Contains("3-channel", ex.Message, StringComparison.Ordinal);
    }
    [Theory]
    [InlineData("vtest.avi", 128)] // 768x576 into 128x96: a third of the rows converted
    [InlineData("vtest.avi", 256)] // into 256x192: every row pair is read
    [InlineData("vtest.avi", 384)] // exactly 2:1, where OpenCV averages areas instead
    [InlineData("vtest.avi", 100)] // a scale that is not a whole number
    [InlineData("numbered", 256)]  // 320x240 enlarged
    public async Task Letterbox_FrameFromFFmpegsDecoder_GivesTheTensorOfOpenCvsFrame(string input, int size)
    {
        string path = input == "numbered" ? TestFiles.WriteNumberedClip(TestFiles.NewFolder(), 12, 320, 240) : TestFiles.Asset(input);
        var format = new TensorFormat(size, size, TensorLayout.Nhwc, Rgb: true, Scale: 2f / 255f, Offset: -1f);
        using var openCv = VideoSource.FromFile(path, new VideoSourceOptions { Decoder = VideoDecoder.OpenCv, MaxFrames = 12 });
        using var ffmpeg = VideoSource.FromFile(path, new VideoSourceOptions { Decoder = VideoDecoder.FFmpeg, MaxFrames = 12 });
        await openCv.OpenAsync(new StageContext("decode"), default);
        await ffmpeg.OpenAsync(new StageContext("decode"), default);
        await using var expected = openCv.ReadAsync(default).GetAsyncEnumerator();
        await using var actual = ffmpeg.ReadAsync(default).GetAsyncEnumerator();
        int frames = 0;
        while (await expected.MoveNextAsync() && await actual.MoveNextAsync())
        {
            using var want = expected.Current;
            using var got = actual.Current;
            var wantTensor = FrameTensors.Letterbox(want, format);
            var gotTensor = FrameTensors.Letterbox(got, format);
            Assert.NotNull(got.Picture); // letterboxed from the YUV picture, not from a converted image
            Assert.Equal(wantTensor.Transform, gotTensor.Transform);
            Assert.True(wantTensor.Tensor.AsSpan().SequenceEqual(gotTensor.Tensor), $"frame {frames}: the tensors differ");
            frames++;
        }

        Assert.Equal(12, frames);
    }

    [Fact]
    public void SourceRows_VtestIntoBlazeFaceFront_AreTheRowPairsOpenCvsLinearResizeReads()
    {
        // 576 rows into 96: destination row d reads rows 6d + 2 and 6d + 3 (floor((d + 0.5) * 6 - 0.5) and the next).
        Assert.Equal(Enumerable.Range(0, 96).Select(d => ((6 * d) + 2, 2)), FrameTensors.SourceRows(768, 576, 128, 96));
    }

    [Theory]
    [InlineData(768, 576, 256, 192)] // 3:1: every row pair holds a row that is read
    [InlineData(768, 576, 384, 288)] // 2:1: area averaging
    [InlineData(160, 120, 160, 120)] // 1:1: a copy
    [InlineData(160, 120, 256, 192)] // enlarged
    public void SourceRows_WhereEveryRowIsRead_IsOneRunOfAllRows(int width, int height, int scaledWidth, int scaledHeight) =>
        Assert.Equal([(0, height)], FrameTensors.SourceRows(width, height, scaledWidth, scaledHeight));

    [Fact]
    public void SourceRows_OddHeightAndPairsSplitByTheRowsRead_StartEvenAndStayInsideTheImage()
    {
        var runs = FrameTensors.SourceRows(64, 63, 8, 7); // 9:1: destination row d reads rows 9d + 4 and 9d + 5, one pair or two adjacent ones
        Assert.All(runs, r => Assert.True(r.First % 2 == 0 && r.First + r.Count <= 63));
        Assert.Equal(7, runs.Count);
    }
}
