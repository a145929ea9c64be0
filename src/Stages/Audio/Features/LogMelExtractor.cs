using NWaves.FeatureExtractors;
using NWaves.FeatureExtractors.Options;
using NWaves.Filters.Fda;

namespace Flow.Stages.Audio;

/// <summary>
/// Log-mel filter-bank features of 16 kHz audio, computed with NWaves' <see cref="FilterbankExtractor"/>
/// (FFT, power spectrum, triangular mel filters, natural log). 1 s of audio gives 98 frames × 40 bands
/// with the defaults. Not thread-safe (NWaves keeps frame buffers): one instance per worker.
/// </summary>
public sealed class LogMelExtractor
{
    private readonly FilterbankExtractor _extractor;

    /// <summary>Creates the extractor.</summary>
    /// <param name="options">Bands and framing; <see langword="null"/> for the defaults.</param>
    public LogMelExtractor(LogMelOptions? options = null)
    {
        LogMelOptions o = (options ?? new LogMelOptions()).Clone();
        MelBands = o.MelBands;
        int frameSize = SpeechAudio.ToSamples(o.Frame);
        int fftSize = 1;
        while (fftSize < frameSize)
        {
            fftSize <<= 1;
        }

        float[][] bank = FilterBanks.Triangular(fftSize, SpeechAudio.SampleRate, FilterBanks.MelBands(o.MelBands, SpeechAudio.SampleRate, 20, 7600));
        _extractor = new FilterbankExtractor(new FilterbankOptions
        {
            SamplingRate = SpeechAudio.SampleRate,
            FrameDuration = o.Frame.TotalSeconds,
            HopDuration = o.Hop.TotalSeconds,
            FftSize = fftSize,
            FilterBank = bank,
            SpectrumType = SpectrumType.Power,
            NonLinearity = NonLinearityType.LogE,
            LogFloor = 1e-6f,
        });
    }

    /// <summary>Features per frame.</summary>
    public int MelBands { get; }

    /// <summary>Computes the features.</summary>
    /// <param name="samples">16 kHz mono samples.</param>
    /// <returns>One array of <see cref="MelBands"/> log energies per frame.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="samples"/> is null.</exception>
    public IReadOnlyList<float[]> Compute(float[] samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return _extractor.ComputeFrom(samples);
    }
}
