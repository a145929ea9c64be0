using Flow.Stages.Audio;

namespace Flow.Apps.SpeechRec;

/// <summary>
/// Turns a short utterance into the keyword network's input: the loudest 1 s window (zero-padded,
/// centred, when shorter), log-mel features (NWaves, 40 bands × 98 frames), normalised to zero mean and
/// unit variance per utterance so the gain does not matter. Not thread-safe (one extractor).
/// </summary>
internal sealed class KeywordFeatures
{
    public const int WindowSamples = SpeechAudio.SampleRate;
    public const int Bands = 40;
    public const int Frames = 98;
    public const int Length = Bands * Frames;

    private readonly LogMelExtractor _extractor = new(new LogMelOptions { MelBands = Bands });

    /// <summary>Cuts or pads the samples to the 1 s window around the most energy.</summary>
    public static float[] Window(ReadOnlySpan<float> samples, int shift = 0)
    {
        var window = new float[WindowSamples];
        if (samples.Length <= WindowSamples)
        {
            int at = Math.Clamp(((WindowSamples - samples.Length) / 2) + shift, 0, WindowSamples - samples.Length);
            samples.CopyTo(window.AsSpan(at));
            return window;
        }

        double energy = 0;
        for (int i = 0; i < WindowSamples; i++)
        {
            energy += samples[i] * samples[i];
        }

        double best = energy;
        int bestStart = 0;
        for (int start = 1; start + WindowSamples <= samples.Length; start++)
        {
            energy += (samples[start + WindowSamples - 1] * samples[start + WindowSamples - 1]) - (samples[start - 1] * samples[start - 1]);
            if (energy > best)
            {
                best = energy;
                bestStart = start;
            }
        }

        bestStart = Math.Clamp(bestStart - shift, 0, samples.Length - WindowSamples);
        samples.Slice(bestStart, WindowSamples).CopyTo(window);
        return window;
    }

    /// <summary>Writes the normalised [bands, frames] features of a 1 s window into <paramref name="destination"/>.</summary>
    public void Compute(float[] window, Span<float> destination)
    {
        IReadOnlyList<float[]> frames = _extractor.Compute(window);
        int n = Math.Min(frames.Count, Frames);
        destination[..Length].Clear();
        double sum = 0;
        double sumSquares = 0;
        for (int t = 0; t < n; t++)
        {
            for (int b = 0; b < Bands; b++)
            {
                float v = Math.Max(frames[t][b], -14f);
                destination[(b * Frames) + t] = v;
                sum += v;
                sumSquares += v * v;
            }
        }

        int count = Math.Max(1, n * Bands);
        double mean = sum / count;
        double std = Math.Sqrt(Math.Max(1e-6, (sumSquares / count) - (mean * mean)));
        for (int b = 0; b < Bands; b++)
        {
            for (int t = 0; t < Frames; t++)
            {
                int i = (b * Frames) + t;
                destination[i] = t < n ? (float)((destination[i] - mean) / std) : 0f;
            }
        }
    }
}
