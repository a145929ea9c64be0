namespace Flow.Stages.Audio.Tests.Input;

public sealed class WavAudioTests : IDisposable
{
    private readonly string _dir = TestAudio.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(16000, 1, 16000, 16000)]
    [InlineData(44100, 2, 44100, 16000)]
    [InlineData(48000, 1, 24000, 8000)]
    [InlineData(8000, 1, 4000, 8000)]
    [InlineData(22050, 2, 22051, 16001)] // 22051 × 16000 / 22050 = 16000.7 → 16001
    [InlineData(32000, 3, 3201, 1601)]   // 1600.5 rounds away from zero
    public void ReadMono16k_AnyRateAndChannels_ExactSampleCount(int rate, int channels, int frames, int expected)
    {
        string path = TestAudio.WriteSine(_dir, rate, channels, frames);

        float[] samples = WavAudio.ReadMono16k(path);

        Assert.Equal(expected, samples.Length);
    }

    [Fact]
    public void ReadMono16k_Resampled44kStereoSine_KeepsFrequency()
    {
        string path = TestAudio.WriteSine(_dir, 44100, 2, 44100, frequency: 440);

        float[] samples = WavAudio.ReadMono16k(path);

        // A 440 Hz sine crosses zero upwards 440 times a second, whatever the sample rate.
        int crossings = 0;
        for (int i = 1; i < samples.Length; i++)
        {
            if (samples[i - 1] < 0 && samples[i] >= 0)
            {
                crossings++;
            }
        }

        Assert.InRange(crossings, 438, 441);
        Assert.InRange(samples.Skip(1000).Take(10000).Max(), 0.45f, 0.55f);
    }

    [Fact]
    public void ReadMono16k_TextFile_NamesFileAndSaysNotWav()
    {
        string path = Path.Combine(_dir, "notes.wav");
        File.WriteAllText(path, "this is not audio at all, just some text in a file");

        var e = Assert.Throws<AudioInputException>(() => WavAudio.ReadMono16k(path));

        Assert.Equal(path, e.Input);
        Assert.StartsWith($"'{path}': not a WAV file", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ReadMono16k_TruncatedFile_SaysTruncated()
    {
        string full = TestAudio.WriteSine(_dir, 16000, 1, 16000);
        string path = Path.Combine(_dir, "cut.wav");
        byte[] bytes = File.ReadAllBytes(full);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var e = Assert.Throws<AudioInputException>(() => WavAudio.ReadMono16k(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadMono16k_HeaderOnlyFragment_SaysNotWavOrTruncated()
    {
        string full = TestAudio.WriteSine(_dir, 16000, 1, 100);
        string path = Path.Combine(_dir, "fragment.wav");
        File.WriteAllBytes(path, File.ReadAllBytes(full)[..20]);

        var e = Assert.Throws<AudioInputException>(() => WavAudio.ReadMono16k(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Matches("truncated|not a WAV file", e.Message);
    }

    [Fact]
    public void ReadMono16k_MissingFile_SaysNoSuchFile()
    {
        string path = Path.Combine(_dir, "missing.wav");

        var e = Assert.Throws<AudioInputException>(() => WavAudio.ReadMono16k(path));

        Assert.Equal($"'{path}': no such file", e.Message);
    }

    [Fact]
    public void WriteMono16k_ThenRead_RoundTripsSamples()
    {
        float[] samples = TestAudio.WhiteNoise(1000, 0.5f, seed: 3);
        string path = Path.Combine(_dir, "round.wav");

        WavAudio.WriteMono16k(path, samples);
        float[] back = WavAudio.ReadMono16k(path);

        Assert.Equal(samples.Length, back.Length);
        Assert.All(samples.Zip(back), p => Assert.Equal(p.First, p.Second, 1e-3f));
    }
}
