namespace Flow.Stages.Audio;

/// <summary>The audio format every speech stage works in: 16 kHz mono, 32-bit float samples in −1…1.</summary>
public static class SpeechAudio
{
    /// <summary>Samples per second of the stages' audio (16,000).</summary>
    public const int SampleRate = 16_000;

    /// <summary>Converts a sample count at <see cref="SampleRate"/> to a duration.</summary>
    /// <param name="samples">The number of samples (or a sample offset).</param>
    /// <returns>The duration.</returns>
    public static TimeSpan ToTime(long samples) => TimeSpan.FromTicks(samples * TimeSpan.TicksPerSecond / SampleRate);

    /// <summary>Converts a duration to a whole number of samples at <see cref="SampleRate"/> (rounded down).</summary>
    /// <param name="duration">The duration.</param>
    /// <returns>The number of samples.</returns>
    public static int ToSamples(TimeSpan duration) => checked((int)(duration.Ticks * SampleRate / TimeSpan.TicksPerSecond));
}
