using NAudio.Wave;

namespace Flow.Stages.Audio.Tests;

/// <summary>Test WAV files and signals.</summary>
internal static class TestAudio
{
    public const string LibriVox = "/usr/share/pocketsphinx/test/data/librivox";

    public static string Clip(string id) => Path.Combine(LibriVox, $"sense_and_sensibility_01_austen_64kb-{id}.wav");

    public static string TempDirectory()
    {
        return Directory.CreateTempSubdirectory("flow-audio-tests-").FullName;
    }

    /// <summary>Writes a 16-bit PCM WAV of a sine with <paramref name="frames"/> frames.</summary>
    public static string WriteSine(string directory, int rate, int channels, int frames, double frequency = 440, string? name = null)
    {
        string path = Path.Combine(directory, name ?? $"sine-{rate}-{channels}-{frames}.wav");
        using var writer = new WaveFileWriter(path, new WaveFormat(rate, 16, channels));
        var frame = new float[channels];
        for (int i = 0; i < frames; i++)
        {
            float v = 0.5f * (float)Math.Sin(2 * Math.PI * frequency * i / rate);
            Array.Fill(frame, v);
            writer.WriteSamples(frame, 0, channels);
        }

        return path;
    }

    public static float[] WhiteNoise(int samples, float amplitude, int seed)
    {
        var random = new Random(seed);
        var noise = new float[samples];
        for (int i = 0; i < samples; i++)
        {
            noise[i] = amplitude * ((2 * random.NextSingle()) - 1);
        }

        return noise;
    }

    /// <summary>Cuts a signal into <see cref="AudioChunk"/>s of 512 samples (last one shorter).</summary>
    public static IEnumerable<AudioChunk> Chunks(float[] samples, string source = "test")
    {
        for (int offset = 0; offset < samples.Length; offset += 512)
        {
            int n = Math.Min(512, samples.Length - offset);
            yield return new AudioChunk(source, offset, samples.AsSpan(offset, n).ToArray(), offset + n >= samples.Length);
        }
    }
}
