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
        ComputeStart = new long[workers];
        ComputeEnd = new long[workers];
        UpdateStart = new long[workers];
        UpdateEnd = new long[workers];
        UpdateGemm = new long[workers];
        Copy = new long[workers];
        ComputeProcessor = new int[workers];
        UpdateProcessor = new int[workers];
    }

    /// <summary>Gets the processor each worker began its chunks on (<see cref="CurrentProcessor.Id"/> when it began; the thread may move).</summary>
    internal int[] ComputeProcessor { get; }

    /// <summary>Gets the processor each worker began its slices of the update phase on (a hint, as <see cref="ComputeProcessor"/>).</summary>
    internal int[] UpdateProcessor { get; }

    /// <summary>Gets each worker's time in the deferred weight gradients' GEMMs of the update phase (part of <see cref="Update"/>).</summary>
    internal long[] UpdateGemm { get; }

    /// <summary>Gets each worker's time copying its updated slices into the other replicas (part of <see cref="Update"/>).</summary>
    internal long[] Copy { get; }

    /// <summary>Gets each worker's forward and backward time over its chunks of the batch.</summary>
    internal long[] Compute { get; }

    /// <summary>Gets how many chunks of the batch each worker ran.</summary>
    internal int[] Chunks { get; }

    /// <summary>Gets each worker's time reducing, updating and broadcasting its slice of the parameters.</summary>
    internal long[] Update { get; }

    /// <summary>Gets each worker's <see cref="System.Diagnostics.Stopwatch"/> timestamp when it began its chunks (against <see cref="ComputeFork"/>: the fork's hand-off).</summary>
    internal long[] ComputeStart { get; }

    /// <summary>Gets each worker's timestamp when it found no chunk left.</summary>
    internal long[] ComputeEnd { get; }

    /// <summary>Gets each worker's timestamp when it began its slices of the update phase (the first of them, with clipping).</summary>
    internal long[] UpdateStart { get; }

    /// <summary>Gets each worker's timestamp when it finished its slices of the update phase.</summary>
    internal long[] UpdateEnd { get; }

    /// <summary>Gets or sets the timestamp just before the chunk phase's fork.</summary>
    internal long ComputeFork { get; set; }

    /// <summary>Gets or sets the timestamp just before the update phase's (first) fork.</summary>
    internal long UpdateFork { get; set; }

    /// <summary>Gets or sets the wall time of the shard phase (fork, all workers' chunks, join).</summary>
    internal long ComputeWall { get; set; }

    /// <summary>Gets or sets the wall time of the reduce-and-update phase(s), including the caller's serial bookkeeping.</summary>
    internal long UpdateWall { get; set; }
}
