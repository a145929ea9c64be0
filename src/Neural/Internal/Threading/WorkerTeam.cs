using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Flow.Neural.Internal.Threading;

/// <summary>
/// A team of persistent helper threads for fork-join work across cores (neuron-parallel kernels,
/// data-parallel replicas, pipeline stages): the caller runs part 0 itself and helper i runs part i.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> queues the other parts to the
/// thread pool, whose idle workers sleep in the kernel: every call then pays a wake-up (on this KVM
/// VM tens of microseconds, at times far more) before the second core starts, and a part that
/// blocks on another (a pipeline stage) may wait for the pool to inject a thread. The helpers here
/// are dedicated threads that, after finishing a part, spin (for <see cref="SpinTime"/> by default) waiting for
/// the next one (back-to-back layers and steps start at once), then sleep until woken, or, while a caller keeps the team
/// warm (<see cref="KeepWarm"/>: the data-parallel trainer between its steps), go on waiting awake, yielding between looks.
/// </para>
/// <para>
/// One team (<see cref="Shared"/>) serves the process's kernels and trainers; a call made while it is
/// in use (another thread's call, or a nested call from inside a part) is refused (<see cref="TryRun"/>
/// returns false) and the caller falls back to its previous way of running the parts, so concurrent
/// users stay correct.
/// </para>
/// </remarks>
internal sealed class WorkerTeam
{
    /// <summary>How long an idle helper spins for new work before it sleeps.</summary>
    internal static readonly TimeSpan SpinTime = TimeSpan.FromMilliseconds(0.2);

    /// <summary>The most helpers the team creates (a call with more parts is refused).</summary>
    private const int MaxHelpers = 63;

    private readonly long _spinTicks;
    private readonly List<Helper> _helpers = [];
    private int _inUse;

    /// <summary>The <see cref="Stopwatch"/> timestamp until which idle helpers stay awake (see <see cref="KeepWarm"/>).</summary>
    private long _warmUntil;

    /// <summary>Creates a team; its helper threads start on first use.</summary>
    /// <param name="spinTime">How long idle helpers (and a caller waiting for them) spin before sleeping; <see cref="SpinTime"/> when null.</param>
    internal WorkerTeam(TimeSpan? spinTime = null)
    {
        _spinTicks = (long)((spinTime ?? SpinTime).TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>
    /// Keeps idle helpers awake for <paramref name="duration"/> from now (or longer, if an earlier call asked for longer): after
    /// their spin they go on waiting for work with <see cref="Thread.Yield"/> between looks instead of sleeping, so a caller that
    /// forks again within that time (the next training step) finds its helpers on their processors.
    /// </summary>
    /// <param name="duration">How long from now idle helpers stay awake.</param>
    /// <remarks>A sleeping helper's virtual processor goes idle, and the host of a virtual machine may then run it elsewhere or
    /// share its core when it wakes: on the benchmark VM, samples of data-parallel steps after the helper had slept ~0.1 s had
    /// rounds with the helper's chunks ≥ 15 % slower than the caller's several times as often as when it had stayed awake
    /// (NEURAL.md Run S). Yielding lets any other runnable thread of the machine have the processor.</remarks>
    internal void KeepWarm(TimeSpan duration)
    {
        long until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long current = Volatile.Read(ref _warmUntil);
        while (until > current)
        {
            long seen = Interlocked.CompareExchange(ref _warmUntil, until, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Ends a warm period now: idle helpers go to sleep after their spin (a test that kept a team warm for long ends with this).</summary>
    internal void EndWarm() => Interlocked.Exchange(ref _warmUntil, 0);

    /// <summary>Gets the <see cref="Stopwatch"/> timestamp until which idle helpers stay awake (0 before any <see cref="KeepWarm"/>).</summary>
    internal long WarmUntil => Interlocked.Read(ref _warmUntil);

    /// <summary>Gets how many times the helpers yielded while waiting for work in a warm period (see <see cref="KeepWarm"/>), all helpers together.</summary>
    internal long HelperYields => Snapshot().Sum(h => h.Yields);

    /// <summary>Gets how many times the helpers went to sleep waiting for work, all helpers together.</summary>
    internal long HelperSleeps => Snapshot().Sum(h => h.Sleeps);

    /// <summary>Gets the team shared by the kernels and trainers of this process.</summary>
    internal static WorkerTeam Shared { get; } = new();

    /// <summary>
    /// Runs <paramref name="body"/>(0) on the calling thread and <paramref name="body"/>(i), 0 &lt; i &lt;
    /// <paramref name="count"/>, on helper threads, all at once, and returns when every part has finished.
    /// </summary>
    /// <param name="count">The number of parts; each runs on its own thread.</param>
    /// <param name="body">The part to run, given its index.</param>
    /// <returns><see langword="false"/> without running anything when the team is in use or too small.</returns>
    /// <remarks>If parts throw, the exception of the lowest-numbered failing part is rethrown after all have finished.</remarks>
    internal bool TryRun(int count, Action<int> body)
    {
        if (count <= 1)
        {
            if (count == 1)
            {
                body(0);
            }

            return true;
        }

        if (count - 1 > MaxHelpers || Interlocked.CompareExchange(ref _inUse, 1, 0) != 0)
        {
            return false;
        }

        try
        {
            while (_helpers.Count < count - 1)
            {
                lock (_helpers)
                {
                    _helpers.Add(new Helper(this, _helpers.Count + 1, _spinTicks));
                }
            }

            for (int i = 1; i < count; i++)
            {
                _helpers[i - 1].Post(body);
            }

            Exception? failure = null;
            try
            {
                body(0);
            }
            catch (Exception ex)
            {
                failure = ex;
            }

            for (int i = 1; i < count; i++)
            {
                Exception? helperFailure = _helpers[i - 1].WaitDone();
                failure ??= helperFailure;
            }

            if (failure is not null)
            {
                ExceptionDispatchInfo.Capture(failure).Throw();
            }

            return true;
        }
        finally
        {
            Volatile.Write(ref _inUse, 0);
        }
    }

    /// <summary>
    /// Runs parts 0 … <paramref name="count"/> − 1 at once: on this team (see <see cref="TryRun"/>), or on the
    /// thread pool while the team is in use (a nested or concurrent call) or too small.
    /// </summary>
    /// <param name="count">The number of parts.</param>
    /// <param name="body">The part to run, given its index.</param>
    /// <remarks>Either way, if parts throw, the exception of the lowest-numbered failing part is rethrown (not wrapped in an
    /// <see cref="AggregateException"/>) after all have finished, so callers see the same exception whether the team was free.</remarks>
    internal void Run(int count, Action<int> body)
    {
        if (TryRun(count, body))
        {
            return;
        }

        var failures = new Exception?[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = count }, i =>
        {
            try
            {
                body(i);
            }
            catch (Exception ex)
            {
                failures[i] = ex;
            }
        });
        if (Array.Find(failures, f => f is not null) is { } failure)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    /// <summary>The helpers created so far (a copy: <see cref="TryRun"/> may add helpers meanwhile).</summary>
    private Helper[] Snapshot()
    {
        lock (_helpers)
        {
            return [.. _helpers];
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds: spins up to <paramref name="spinTicks"/>, then (until the timestamp
    /// <paramref name="warmUntil"/>, if later) yields between looks, then sleeps on <paramref name="wake"/> (protocol: see <see cref="Helper"/>).</summary>
    private static void SpinThenSleep(Func<bool> condition, ref int sleeping, SemaphoreSlim wake, long spinTicks, ref long warmUntil, ref long yields, ref long sleeps)
    {
        long until = Stopwatch.GetTimestamp() + spinTicks;
        while (!condition())
        {
            long now = Stopwatch.GetTimestamp();
            if (now < until)
            {
                Thread.SpinWait(20);
                continue;
            }

            if (now < Volatile.Read(ref warmUntil))
            {
                Thread.Yield();
                Interlocked.Increment(ref yields);
                continue;
            }

            // Announce the sleep, then look once more: the other side either sees the flag and
            // releases the semaphore, or published before the flag and the second look sees it.
            Interlocked.Exchange(ref sleeping, 1);
            if (condition())
            {
                if (Interlocked.Exchange(ref sleeping, 0) == 1)
                {
                    return;
                }

                // The other side took the flag and will release: consume that release.
            }

            Interlocked.Increment(ref sleeps);
            wake.Wait();
        }
    }

    /// <summary>Wakes a side that announced it sleeps (see <see cref="SpinThenSleep"/>).</summary>
    private static void Wake(ref int sleeping, SemaphoreSlim wake)
    {
        if (Interlocked.Exchange(ref sleeping, 0) == 1)
        {
            wake.Release();
        }
    }

    /// <summary>
    /// One helper thread. The caller publishes a part by bumping <c>_posted</c>; the helper runs it and
    /// publishes completion by setting <c>_completed</c> to the same number. Each side waits for the
    /// other by spinning, then sleeping on its own semaphore after raising its "sleeping" flag.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Helpers live as long as the process; a SemaphoreSlim whose wait handle is never read holds no OS handle.")]
    private sealed class Helper
    {
        private readonly WorkerTeam _team;
        private readonly int _index;
        private readonly long _spinTicks;
        private readonly SemaphoreSlim _workWake = new(0);
        private readonly SemaphoreSlim _doneWake = new(0);
        private readonly Func<bool> _hasWork;
        private readonly Func<bool> _isDone;
        private Action<int>? _body;
        private Exception? _failure;
        private int _posted;
        private int _completed;
        private int _helperSleeping;
        private int _callerSleeping;
        private long _yields;
        private long _sleeps;

        internal Helper(WorkerTeam team, int index, long spinTicks)
        {
            _team = team;
            _index = index;
            _spinTicks = spinTicks;
            _hasWork = () => Volatile.Read(ref _posted) != Volatile.Read(ref _completed);
            _isDone = () => Volatile.Read(ref _completed) == Volatile.Read(ref _posted);
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Flow.Neural worker {index}" };
            thread.Start();
        }

        /// <summary>Gets how many times this helper yielded while waiting for work in a warm period.</summary>
        internal long Yields => Interlocked.Read(ref _yields);

        /// <summary>Gets how many times this helper went to sleep waiting for work.</summary>
        internal long Sleeps => Interlocked.Read(ref _sleeps);

        internal void Post(Action<int> body)
        {
            _body = body;
            _failure = null;
            Interlocked.Increment(ref _posted);
            Wake(ref _helperSleeping, _workWake);
        }

        internal Exception? WaitDone()
        {
            // The caller usually finishes its own part at about the same time, so it spins as long as a helper does.
            long notWarm = 0, yields = 0, sleeps = 0;
            SpinThenSleep(_isDone, ref _callerSleeping, _doneWake, _spinTicks, ref notWarm, ref yields, ref sleeps);
            _body = null;
            return _failure;
        }

        private void Loop()
        {
            while (true)
            {
                SpinThenSleep(_hasWork, ref _helperSleeping, _workWake, _spinTicks, ref _team._warmUntil, ref _yields, ref _sleeps);
                try
                {
                    _body!(_index);
                }
                catch (Exception ex)
                {
                    _failure = ex;
                }

                Interlocked.Exchange(ref _completed, Volatile.Read(ref _posted));
                Wake(ref _callerSleeping, _doneWake);
            }
        }
    }
}
