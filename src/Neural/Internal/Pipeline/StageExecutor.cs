using System.Collections.Concurrent;

namespace Flow.Neural.Internal.Pipeline;

/// <summary>
/// A model stage's own thread for one step of the Flow.Pipeline scheduler, as a task scheduler: the
/// stage's Flow.Pipeline stages run their blocks' tasks here (<see cref="Flow.Pipeline.StageOptions.TaskScheduler"/>),
/// in order, and the thread spins between tasks instead of returning to the thread pool.
/// </summary>
/// <remarks>
/// On the thread pool, a stage's block gave its thread back whenever its input queue ran empty, and the
/// next item woke a pool thread, which the kernel often placed on the core of the thread that woke it
/// (the neighbour stage, still computing), so the two stages shared one core until the load balancer
/// moved one (pipetrace, 10:13 UTC: 0.9–1.2 ms stalls at hand-offs, a 5 ms turn from forward to backward
/// at M = 16 where the channel scheduler's spinning threads took 1–3 ms). Awaiting work on a dedicated
/// thread from pool-run stage bodies (10:19 UTC) still cost a pool wake-up per item, about 0.3 ms.
/// </remarks>
internal sealed class StageExecutor : TaskScheduler
{
    private readonly ConcurrentQueue<Task> _tasks = new();
    private volatile bool _closed;
    private volatile bool _exited;
    private int _threadId;

    /// <inheritdoc/>
    public override int MaximumConcurrencyLevel => 1;

    /// <summary>Queues <paramref name="work"/> to run on this executor's thread after the tasks queued before it.</summary>
    /// <param name="work">The computation.</param>
    /// <returns>Its completion or exception.</returns>
    internal Task Run(Action work) => Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.None, this);

    /// <summary>
    /// Queues <paramref name="work"/> behind what the running task queues after this call as well: called
    /// from a stage's body, the work runs after the task that hands the body's output on (queued when the
    /// body returns), so the neighbour gets that output first.
    /// </summary>
    /// <param name="work">The computation.</param>
    /// <returns>Its completion or exception.</returns>
    internal Task RunAfterCurrent(Action work) =>
        Run(static () => { }).ContinueWith(_ => work(), CancellationToken.None, TaskContinuationOptions.None, this);

    /// <summary>Lets <see cref="Loop"/> return once the tasks queued so far have run.</summary>
    internal void Close() => _closed = true;

    /// <summary>Runs queued tasks on the calling thread until <see cref="Close"/> has been called and the queue is empty, spinning (with yields, never sleeping) between tasks.</summary>
    internal void Loop()
    {
        _threadId = Environment.CurrentManagedThreadId;
        var wait = default(SpinWait);
        while (true)
        {
            if (_tasks.TryDequeue(out Task? task))
            {
                TryExecuteTask(task);
                wait = default;
                continue;
            }

            if (_closed && _tasks.IsEmpty)
            {
                break;
            }

            wait.SpinOnce(sleep1Threshold: -1);
        }

        // A task queued after the step (a late continuation of a failed step) runs on the pool.
        _exited = true;
        DrainToPool();
    }

    /// <inheritdoc/>
    protected override void QueueTask(Task task)
    {
        _tasks.Enqueue(task);
        if (_exited)
        {
            DrainToPool();
        }
    }

    /// <inheritdoc/>
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        Environment.CurrentManagedThreadId == _threadId && !_exited && TryExecuteTask(task);

    /// <inheritdoc/>
    protected override IEnumerable<Task> GetScheduledTasks() => _tasks.ToArray();

    private void DrainToPool()
    {
        while (_tasks.TryDequeue(out Task? task))
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Scheduler.TryExecuteTask(state.Task), (Scheduler: this, Task: task), preferLocal: false);
        }
    }
}
