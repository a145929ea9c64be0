using System.Runtime.CompilerServices;

namespace Flow.Pipeline.Tests;

/// <summary>Sources and helpers shared by the tests.</summary>
internal static class TestSources
{
    /// <summary>Yields 0, 1, 2, … until canceled.</summary>
    public static async IAsyncEnumerable<int> Endless([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (int i = 0; ; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return i;
            await Task.Yield();
        }
    }

    /// <summary>Burns a little CPU, differently per item, so parallel workers finish out of order.</summary>
    public static int Work(int item)
    {
        int spins = (item * 7919) % 5000;
        Thread.SpinWait(spins);
        return item;
    }

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
}
