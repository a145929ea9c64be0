namespace Flow.Neural.Internal.Training;

/// <summary>
/// Where one data-parallel step's time went, in <see cref="System.Diagnostics.Stopwatch"/> ticks: each
/// worker's busy time in the two phases and each phase's wall time (from the fork to the last join), so
/// a phase's wall minus a worker's busy time is that worker's wait at the join (plus the fork's start).
/// </summary>
internal sealed class DataParallelStepTimes
{
    internal DataParallelStepTimes(int workers)
    {
        Compute = new long[workers];
        Update = new long[workers];
        Chunks = new int[workers];
    }

    /// <summary>Gets each worker's forward and backward time over its chunks of the batch.</summary>
    internal long[] Compute { get; }

    /// <summary>Gets how many chunks of the batch each worker ran.</summary>
    internal int[] Chunks { get; }

    /// <summary>Gets each worker's time reducing, updating and broadcasting its slice of the parameters.</summary>
    internal long[] Update { get; }

    /// <summary>Gets or sets the wall time of the shard phase (fork, all workers' chunks, join).</summary>
    internal long ComputeWall { get; set; }

    /// <summary>Gets or sets the wall time of the reduce-and-update phase(s), including the caller's serial bookkeeping.</summary>
    internal long UpdateWall { get; set; }
}
