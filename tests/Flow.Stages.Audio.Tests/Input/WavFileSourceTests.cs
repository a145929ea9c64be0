using Flow.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace Flow.Stages.Audio.Tests.Input;

public sealed class WavFileSourceTests : IDisposable
{
    private readonly string _dir = TestAudio.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(16000, 1, 511)]
    [InlineData(16000, 1, 512)]
    [InlineData(16000, 1, 513)]
    [InlineData(44100, 2, 44100)]
    public async Task ReadAsync_File_ExactChunksCoverEverySample(int rate, int channels, int frames)
    {
        string path = TestAudio.WriteSine(_dir, rate, channels, frames);
        int expectedSamples = WavAudio.ReadMono16k(path).Length;
        var builder = new PipelineBuilder();
        CollectedItems<AudioChunk> collected = builder.From(new WavFileSource([path]), "audio").Collect();

        await builder.Build().RunAsync();

        IReadOnlyList<AudioChunk> chunks = collected.Items;
        Assert.Equal((expectedSamples + 511) / 512, chunks.Count);
        Assert.All(chunks.SkipLast(1), c => Assert.Equal(512, c.Samples.Length));
        Assert.Equal(expectedSamples - (512 * (chunks.Count - 1)), chunks[^1].Samples.Length);
        Assert.Equal(Enumerable.Range(0, chunks.Count).Select(i => i * 512L), chunks.Select(c => c.Offset));
        Assert.Equal([.. Enumerable.Repeat(false, chunks.Count - 1), true], chunks.Select(c => c.IsLast));
    }

    [Fact]
    public void ExpandInputs_Folder_SortedWavFilesOnly()
    {
        TestAudio.WriteSine(_dir, 16000, 1, 10, name: "b.wav");
        TestAudio.WriteSine(_dir, 16000, 1, 10, name: "a.WAV");
        File.WriteAllText(Path.Combine(_dir, "readme.txt"), "x");

        IReadOnlyList<string> files = WavFileSource.ExpandInputs([_dir]);

        Assert.Equal(["a.WAV", "b.wav"], files.Select(Path.GetFileName));
    }

    [Fact]
    public void ExpandInputs_MissingPath_NamesIt()
    {
        string missing = Path.Combine(_dir, "nope");

        var e = Assert.Throws<AudioInputException>(() => WavFileSource.ExpandInputs([missing]));

        Assert.Equal($"'{missing}': no such file or folder", e.Message);
    }

    [Fact]
    public async Task OpenAsync_OneBadFileAmongGood_FailsBeforeAnyAudioFlows()
    {
        string good = TestAudio.WriteSine(_dir, 16000, 1, 16000);
        string bad = Path.Combine(_dir, "bad.wav");
        File.WriteAllText(bad, "RIFF but not really");
        var builder = new PipelineBuilder();
        CollectedItems<AudioChunk> collected = builder.From(new WavFileSource([good, bad]), "audio").Collect();

        var e = await Assert.ThrowsAsync<StageFailedException>(() => builder.Build().RunAsync());

        Assert.Equal(StagePhase.Open, e.Phase);
        var input = Assert.IsType<AudioInputException>(e.InnerException);
        Assert.Equal(bad, input.Input);
        Assert.Empty(collected.Items);
    }

    [Fact]
    public async Task ReadAsync_Realtime_ReleasesEachChunkOnlyWhenItsAudioTimeHasPassed()
    {
        string path = TestAudio.WriteSine(_dir, 16000, 1, 3 * 512);
        var clock = new FakeTimeProvider();
        var source = new WavFileSource([path], new AudioSourceOptions { Realtime = true }) { Clock = clock };
        await using IAsyncEnumerator<AudioChunk> chunks = source.ReadAsync(CancellationToken.None).GetAsyncEnumerator();

        ValueTask<bool> first = chunks.MoveNextAsync();
        Assert.False(first.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(31));
        Assert.False(first.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await first);
        Assert.Equal(0, chunks.Current.Offset);

        ValueTask<bool> second = chunks.MoveNextAsync();
        Assert.False(second.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(32));
        Assert.True(await second);
        Assert.Equal(512, chunks.Current.Offset);
    }
}
