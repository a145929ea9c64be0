using System.IO.Compression;
using Flow.Neural.Data;

namespace Flow.Neural.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flow-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Idx(int count, int h, int w, Func<int, byte> value)
    {
        var bytes = new List<byte> { 0, 0, 8, 3 };
        foreach (int d in new[] { count, h, w })
        {
            bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        }

        for (int i = 0; i < count * h * w; i++)
        {
            bytes.Add(value(i));
        }

        return [.. bytes];
    }

    private static byte[] Labels(int count, Func<int, byte> value)
    {
        var bytes = new List<byte> { 0, 0, 8, 1, (byte)(count >> 24), (byte)(count >> 16), (byte)(count >> 8), (byte)count };
        for (int i = 0; i < count; i++)
        {
            bytes.Add(value(i));
        }

        return [.. bytes];
    }

    private string Write(string name, byte[] bytes, bool gzip)
    {
        string path = Path.Combine(_dir, name);
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return path;
        }

        using FileStream file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Fastest);
        zip.Write(bytes);
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadBatchesAsync_ShuffleBuffer_YieldsEveryExampleOnce(bool gzip)
    {
        string images = Write("img", Idx(10, 2, 3, i => (byte)(i / 6)), gzip);
        string labels = Write("lbl", Labels(10, i => (byte)(i % 4)), gzip);
        var source = new LabeledImageSource(images, labels, classes: 4);
        var seen = new List<int>();
        var order = new List<int>();

        await foreach (Batch batch in source.ReadBatchesAsync(batchSize: 4, shuffleBufferSize: 5, seed: 3))
        {
            for (int n = 0; n < batch.Count; n++)
            {
                int index = (int)MathF.Round(batch.Inputs.Data[n * 6] * 255f);
                seen.Add(index);
                Assert.Equal(index % 4, batch.Labels[n]);
                Assert.Equal(1f, batch.Targets[n, index % 4]);
            }
        }

        Assert.Equal(Enumerable.Range(0, 10), seen.Order());
        Assert.NotEqual(Enumerable.Range(0, 10), seen);
    }

    [Fact]
    public void Open_TruncatedRecords_ReadThrowsNamingFile()
    {
        byte[] full = Idx(4, 2, 2, i => 1);
        string path = Write("cut", full[..^3], gzip: false);
        using IdxFile file = IdxFile.Open(path);
        var record = new byte[4];

        file.TryReadRecord(record);
        file.TryReadRecord(record);
        file.TryReadRecord(record);
        var ex = Assert.Throws<IdxFormatException>(() => file.TryReadRecord(record));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ForeignFile_ThrowsNotIdx()
    {
        string path = Write("foreign", "hello world"u8.ToArray(), gzip: false);

        var ex = Assert.Throws<IdxFormatException>(() => IdxFile.Open(path));

        Assert.Contains("not an IDX file", ex.Message, StringComparison.Ordinal);
    }
}
