namespace Flow.Stages.Audio.Tests.Input;

public sealed class PcmStreamSourceTests
{
    /// <summary>A stream that returns at most a few bytes per read, like a pipe.</summary>
    private sealed class TrickleStream(byte[] data, int maxRead) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, maxRead));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => base.ReadAsync(buffer[..Math.Min(buffer.Length, maxRead)], cancellationToken);
    }

    [Theory]
    [InlineData(0, 7)]
    [InlineData(512, 1000)]
    [InlineData(1500, 7)]
    [InlineData(1500, 3)]
    public async Task ReadAsync_AnyReadSizes_ExactChunks(int samples, int maxRead)
    {
        var bytes = new byte[(samples * 2) + 1]; // a trailing odd byte is ignored
        for (int i = 0; i < samples; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(2 * i), (short)(i - 700));
        }

        var source = new PcmStreamSource(new TrickleStream(bytes, maxRead));
        var chunks = new List<AudioChunk>();
        await foreach (AudioChunk c in source.ReadAsync(CancellationToken.None))
        {
            chunks.Add(c);
        }

        Assert.Equal((samples + 511) / 512, chunks.Count);
        Assert.Equal(samples, chunks.Sum(c => c.Samples.Length));
        Assert.All(chunks.SkipLast(1), c => Assert.Equal(512, c.Samples.Length));
        if (samples > 0)
        {
            Assert.True(chunks[^1].IsLast);
            Assert.All(chunks.SkipLast(1), c => Assert.False(c.IsLast));
            float[] all = chunks.SelectMany(c => c.Samples).ToArray();
            Assert.Equal(-700 / 32768f, all[0]);
            Assert.Equal((samples - 1 - 700) / 32768f, all[^1]);
            Assert.Equal("stdin", chunks[0].Source);
        }
    }
}
