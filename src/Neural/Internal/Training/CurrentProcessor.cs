using System.Runtime.InteropServices;

namespace Flow.Neural.Internal.Training;

/// <summary>The processor the calling thread runs on, for the data-parallel trainer's step diagnostics.</summary>
internal static partial class CurrentProcessor
{
    /// <summary>Gets the processor number the calling thread runs on now (glibc's <c>sched_getcpu</c> on Linux, uncached;
    /// elsewhere <see cref="Thread.GetCurrentProcessorId"/>, which may be cached), or −1 when unknown.</summary>
    internal static int Id
    {
        get
        {
            if (OperatingSystem.IsLinux())
            {
                try
                {
                    return SchedGetCpu();
                }
                catch (DllNotFoundException)
                {
                    return -1;
                }
                catch (EntryPointNotFoundException)
                {
                    return -1;
                }
            }

            return Thread.GetCurrentProcessorId();
        }
    }

    [LibraryImport("libc", EntryPoint = "sched_getcpu")]
    private static partial int SchedGetCpu();
}
