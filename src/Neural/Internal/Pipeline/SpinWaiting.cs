using System.Diagnostics;

namespace Flow.Neural.Internal.Pipeline;

/// <summary>How a pipeline stage waits for its neighbour within a step: spinning, not sleeping.</summary>
internal static class SpinWaiting
{
    /// <summary>
    /// The longest a stage spins for its neighbour before it sleeps. It covers the longest wait of the
    /// benchmarks' steps, the turn from forward to backward at M = 1 (about 30 ms).
    /// </summary>
    internal static readonly TimeSpan Limit = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Spins (yielding the core now and then, never sleeping) until <paramref name="condition"/> holds or
    /// <see cref="Limit"/> has passed; the caller then waits by blocking if it must. A thread that sleeps
    /// instead took 0.1–2.4 ms to wake on this project's KVM machine (pipetrace, 09:47 UTC), against
    /// 0.9–1.2 ms of work per micro-batch at M = 16.
    /// </summary>
    internal static void Until(Func<bool> condition)
    {
        var wait = default(SpinWait);
        long until = Stopwatch.GetTimestamp() + (long)(Limit.TotalSeconds * Stopwatch.Frequency);
        while (!condition() && Stopwatch.GetTimestamp() < until)
        {
            wait.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Whether stages should spin: only when every stage has a core of its own (a spinning stage would otherwise take a core from one that computes).</summary>
    internal static bool Affordable(int stages) => stages <= Environment.ProcessorCount;
}
