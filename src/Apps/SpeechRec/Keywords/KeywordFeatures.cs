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

    /// <summary>
    /// Finds the word (10 ms frames within 30 dB of the loudest) and centres it in a 1 s window, moved by
    /// <paramref name="shift"/> samples; a word longer than 1 s keeps its loudest second. Training clips and
    /// live utterances (with the segmenter's padding) thus line up the same way.
    /// </summary>
    public static float[] Window(ReadOnlySpan<float> samples, int shift = 0)
    {
        (int first, int last) = SpeechRegion(samples);
        ReadOnlySpan<float> word = samples[first..last];
        var window = new float[WindowSamples];
        if (word.Length <= WindowSamples)
        {
            int at = Math.Clamp(((WindowSamples - word.Length) / 2) + shift, 0, WindowSamples - word.Length);
            word.CopyTo(window.AsSpan(at));
            return window;
        }

        double energy = 0;
        for (int i = 0; i < WindowSamples; i++)
        {
            energy += word[i] * word[i];
        }

        double best = energy;
        int bestStart = 0;
        for (int start = 1; start + WindowSamples <= word.Length; start++)
        {
            energy += (word[start + WindowSamples - 1] * word[start + WindowSamples - 1]) - (word[start - 1] * word[start - 1]);
            if (energy > best)
            {
                best = energy;
                bestStart = start;
            }
        }

        bestStart = Math.Clamp(bestStart - shift, 0, word.Length - WindowSamples);
        word.Slice(bestStart, WindowSamples).CopyTo(window);
        return window;
    }

    private static (int First, int Last) SpeechRegion(ReadOnlySpan<float> samples)
    {
        const int frame = 160;
        int frames = samples.Length / frame;
        if (frames == 0)
        {
            return (0, samples.Length);
        }

        var energy = new double[frames];
        double max = 0;
        for (int f = 0; f < frames; f++)
        {
            double e = 0;
            foreach (float v in samples.Slice(f * frame, frame))
            {
                e += v * v;
            }

            energy[f] = e;
            max = Math.Max(max, e);
        }

        if (max <= 0)
        {
            return (0, samples.Length);
        }

        double floor = max * 1e-3;
        int firstFrame = Array.FindIndex(energy, e => e >= floor);
        int lastFrame = Array.FindLastIndex(energy, e => e >= floor);
        return (firstFrame * frame, Math.Min(samples.Length, (lastFrame + 1) * frame));
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
