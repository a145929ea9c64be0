namespace Flow.Stages.Audio;

/// <summary>Holds chunks back until their audio time has passed on the pipeline's clock.</summary>
internal sealed class RealtimePacer(TimeProvider clock)
{
    private readonly long _start = clock.GetTimestamp();

    /// <summary>Waits until <paramref name="audioTime"/> of audio has been "played" since the first call.</summary>
    public async ValueTask WaitUntilAsync(TimeSpan audioTime, CancellationToken cancellationToken)
    {
        TimeSpan due = audioTime - clock.GetElapsedTime(_start);
        if (due > TimeSpan.Zero)
        {
            await Task.Delay(due, clock, cancellationToken).ConfigureAwait(false);
        }
    }
}
