namespace Flow.Stages.Audio;

/// <summary>Whole-file WAV reading for tools and tests (the pipeline streams with <see cref="WavFileSource"/>).</summary>
public static class WavAudio
{
    /// <summary>Reads a WAV file of any rate and channel count as 16 kHz mono samples.</summary>
    /// <param name="path">The file.</param>
    /// <returns>Exactly round(frames × 16000 / rate) samples.</returns>
    /// <exception cref="AudioInputException">The file is missing, not a WAV file, truncated or of an unsupported encoding.</exception>
    public static float[] ReadMono16k(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var decoder = WavDecoder.Open(path);
        var samples = new float[decoder.TotalSamples];
        int filled = 0;
        while (filled < samples.Length)
        {
            int read = decoder.Read(samples.AsSpan(filled));
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return samples;
    }

    /// <summary>Writes 16 kHz mono samples as a 16-bit PCM WAV file.</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="samples">The samples, −1…1 (clipped).</param>
    public static void WriteMono16k(string path, ReadOnlySpan<float> samples)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var writer = new NAudio.Wave.WaveFileWriter(path, new NAudio.Wave.WaveFormat(SpeechAudio.SampleRate, 16, 1));
        var pcm = new byte[samples.Length * 2];
        for (int i = 0; i < samples.Length; i++)
        {
            short value = (short)Math.Round(Math.Clamp(samples[i], -1f, 1f) * short.MaxValue);
            pcm[2 * i] = (byte)value;
            pcm[(2 * i) + 1] = (byte)(value >> 8);
        }

        writer.Write(pcm, 0, pcm.Length);
    }
}
