namespace Flow.Stages.Audio.Tests.Features;

public sealed class LogMelExtractorTests
{
    [Fact]
    public void Compute_OneSecond_98FramesOf40Bands()
    {
        var extractor = new LogMelExtractor();

        IReadOnlyList<float[]> frames = extractor.Compute(TestAudio.WhiteNoise(16000, 0.1f, seed: 1));

        Assert.Equal(98, frames.Count);
        Assert.All(frames, f => Assert.Equal(40, f.Length));
    }

    [Fact]
    public void Compute_LowTone_EnergyInLowBands()
    {
        var tone = new float[16000];
        for (int i = 0; i < tone.Length; i++)
        {
            tone[i] = 0.5f * MathF.Sin(2 * MathF.PI * 300 * i / 16000);
        }

        IReadOnlyList<float[]> frames = new LogMelExtractor().Compute(tone);

        float[] middle = frames[50];
        int loudest = Array.IndexOf(middle, middle.Max());
        Assert.InRange(loudest, 0, 9);
    }
}
