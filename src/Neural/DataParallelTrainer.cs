using System.Diagnostics;
using System.Numerics.Tensors;
using Flow.Neural.Internal.Threading;
using Flow.Neural.Internal.Training;

namespace Flow.Neural;

/// <summary>
/// Synchronous data-parallel training: K replicas of one model run forward and backward on chunks of
/// the global batch on their own cores; then each worker takes a slice of every parameter, averages
/// the chunks' gradients over it, updates it in its own replica with the one optimizer and copies the new values
/// to the other replicas, so all replicas stay identical and the result equals single-worker training on the whole batch.
/// </summary>
/// <remarks>
/// <para>
/// The batch is cut into a fixed number of chunks (at least 4 per replica, or more, as
/// many as a one-worker step would use, so each chunk's activations fit a core's L2) whose boundaries depend
/// only on the batch and example sizes, and a worker that finishes a chunk takes the next one not
/// yet taken, so a worker that runs slower (a shared host's second vCPU) does fewer chunks instead of
/// holding up the step. Each chunk's gradients go to that chunk's own storage and are summed in chunk
/// order, so the result is bit-identical whichever worker ran which chunk. Layers that can defer their weight
/// gradients (dense layers) do: a chunk's backward pass computes only their input gradients and leaves its
/// rows of their inputs and output gradients in batch-wide buffers, and each worker computes its slice of
/// their weight gradients with one GEMM over all rows of the batch in the update phase, just before
/// updating that slice. Models with an active
/// dropout layer take their chunks in a fixed assignment instead (contiguous chunks per replica), since
/// each replica draws its own dropout masks.
/// </para>
/// <para>
/// After a step, <see cref="Model"/>'s gradients hold the averaged gradient of the whole batch; the other
/// replicas' gradients hold one chunk's share (zero for deferred weight gradients). Not thread-safe: call <see cref="TrainStep"/> from one thread at a time.
/// </para>
/// <para>
/// With more than one replica, the workers' threads stay awake for 200 ms after each step, yielding their processors to any
/// other runnable thread, so the next step starts on them at once; they sleep when no step follows within that time.
/// </para>
/// </remarks>
public sealed class DataParallelTrainer : IBatchTrainer
{
    /// <summary>Slices of a parameter start on multiples of this many floats (one Vector512), so no vector straddles two workers.</summary>
    private const int SliceAlignment = 16;

    /// <summary>The reduce, update and broadcast of a worker's slice go this many floats (16 KiB) at a time.</summary>
    private const int UpdateBlock = 4096;

    /// <summary>How long the worker team's helpers stay awake after a step, waiting for the next one (as Intel's and LLVM's OpenMP
    /// runtimes keep idle threads spinning 200 ms, KMP_BLOCKTIME), so consecutive steps find them on their processors.</summary>
    internal static readonly TimeSpan KeepWarmTime = TimeSpan.FromMilliseconds(200);

    private readonly Sequential[] _replicas;
    private readonly Optimizer _optimizer;
    private readonly Loss _loss;
    private readonly double[] _sumSquares;

    /// <summary>Whether a layer draws random numbers in training (dropout): chunks then go to replicas in a fixed assignment.</summary>
    private readonly bool _fixedAssignment;

    /// <summary>Each chunk's gradient storage, [chunk][parameter]; chunk c &lt; K uses replica c's own tensors (chunk 0's receive the
    /// reduced gradient), to which replica c points back after its chunks. Deferred parameters have no storage of their own in
    /// chunks K and above: their entries are replica 0's tensors, which only the update phase writes.</summary>
    private readonly List<Tensor[]> _chunkGradients = [];

    /// <summary>Runs chunks on each replica (its layer states, one set per chunk size).</summary>
    private readonly ChunkRunner[] _runners;

    /// <summary>The dense layers' inputs and output gradients of the whole batch, for their weight gradients in the update phase.</summary>
    private readonly DeferredBatch _deferred;

    /// <summary>The one-worker trainer's chunk rule, applied to replica 0.</summary>
    private readonly ChunkRule _rule;

    /// <summary>Per parameter, the multiple of floats its workers' slices start on.</summary>
    private readonly int[] _sliceAlignment;

    /// <summary>Each parameter's value array in every replica: [parameter][replica].</summary>
    private readonly float[][][] _valueArrays;

    /// <summary>The <see cref="Parameter.Version"/> of each of the model's parameters when the replicas last held its values: a
    /// different version at the start of a step means the values were changed outside the trainer (such as by
    /// <see cref="Sequential.CopyParametersFrom"/>), and the replicas get them again.</summary>
    private readonly int[] _replicatedVersions;
    private readonly Action<int> _computeChunks;
    private readonly Action<int> _updateOwned;
    private readonly Action<int> _reduceForClipping;
    private float[] _chunkLoss = [];
    private ComputeOptions _updateOptions = new();
    private int[] _chunkWorkers = [];
    /// <summary>How many chunks per replica a batch is cut into at least (with more than one replica; at most one row per
    /// chunk); the one-worker chunk rule (<see cref="ChunkRule"/>) may cut it into more.</summary>
    private const int ChunksPerWorker = 4;

    private Tensor? _stepInputs;
    private Tensor? _stepTargets;
    private int _stepBatch;
    private int _stepChunks;
    private int _nextChunk;
    private float _stepRate;
    private float _stepScale;

    /// <summary>Whether this step's update phase sums the chunks' gradients (false: the clipping phase did).</summary>
    private bool _stepReduces;

    /// <summary>Creates a trainer whose first replica is <paramref name="model"/> and the others clones of it.</summary>
    /// <param name="model">The model to train; it becomes replica 0 and holds the trained parameters.</param>
    /// <param name="loss">The loss function.</param>
    /// <param name="optimizerFactory">Creates the optimizer; called once. Its state is shared by the workers: each updates its own slice of every parameter.</param>
    /// <param name="replicas">The number of replicas K (workers); positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="replicas"/> is zero or negative.</exception>
    public DataParallelTrainer(Sequential model, Loss loss, Func<Optimizer> optimizerFactory, int replicas)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizerFactory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(replicas);
        _loss = loss;
        _replicas = new Sequential[replicas];
        _replicas[0] = model;
        for (int k = 1; k < replicas; k++)
        {
            _replicas[k] = model.Clone();
        }

        _optimizer = optimizerFactory() ?? throw new ArgumentException("the optimizer factory returned null", nameof(optimizerFactory));
        _sumSquares = new double[replicas];
        _fixedAssignment = model.Layers.Any(l => l is Internal.Layers.DropoutLayer { Rate: > 0f });
        _chunkGradients.AddRange(_replicas.Select(r => r.Parameters.Select(p => p.Gradient).ToArray()));
        _runners = [.. _replicas.Select(r => new ChunkRunner(r))];
        _deferred = new DeferredBatch(model);
        _rule = new ChunkRule(model);
        _sliceAlignment = [.. Enumerable.Range(0, model.Parameters.Count).Select(p => LeastCommonMultiple(SliceAlignment, _deferred.SliceUnit(p)))];
        _valueArrays = [.. Enumerable.Range(0, model.Parameters.Count).Select(p => _replicas.Select(r => r.Parameters[p].Value.Data).ToArray())];
        _replicatedVersions = [.. model.Parameters.Select(p => p.Version)];
        _computeChunks = ComputeChunks;
        _updateOwned = UpdateOwnedSlices;
        _reduceForClipping = ReduceForClipping;
        LastStepTimes = new Internal.Training.DataParallelStepTimes(replicas);
    }

    /// <summary>Gets the number of replicas.</summary>
    public int Replicas => _replicas.Length;

    /// <summary>Gets replica 0, the model passed to the constructor.</summary>
    public Sequential Model => _replicas[0];

    /// <summary>Gets where the last step's time went, per phase and per worker (overwritten by every step).</summary>
    internal Internal.Training.DataParallelStepTimes LastStepTimes { get; }

    /// <summary>Gets or sets a fixed chunk-to-worker assignment (chunk c runs on worker [c], in chunk order), or null to let
    /// workers take chunks as they come free. Tests use it to show the result does not depend on the assignment.</summary>
    internal int[]? ChunkAssignment { get; set; }

    /// <summary>Gets which worker ran each chunk of the last step.</summary>
    internal ReadOnlySpan<int> LastChunkWorkers => _chunkWorkers.AsSpan(0, _stepChunks);

    /// <summary>Runs one synchronous training step on a global batch.</summary>
    /// <param name="inputs">The global batch of inputs; its first dimension is the batch size, at least <see cref="Replicas"/>.</param>
    /// <param name="targets">The matching targets.</param>
    /// <returns>The mean loss over the global batch (before the step).</returns>
    /// <exception cref="ArgumentException">The batch is smaller than the number of replicas, or inputs and targets disagree on the batch size.</exception>
    /// <exception cref="InvalidOperationException">Clipping is on and the gradients are not finite; no parameter was updated.</exception>
    public float TrainStep(Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        int batch = inputs.Dim(0);
        if (targets.Dim(0) != batch)
        {
            throw new ArgumentException($"inputs have {batch} rows but targets have {targets.Dim(0)}", nameof(targets));
        }

        int k = _replicas.Length;
        if (batch < k)
        {
            throw new ArgumentException($"a batch of {batch} cannot be split across {k} replicas", nameof(inputs));
        }

        // At least ChunksPerWorker per worker (for balance), more where the one-worker rule cuts the batch
        // finer (so each chunk's activations fit a core's L2, as on one worker).
        int chunks = k == 1 ? 1 : Math.Min(batch, Math.Max(k * ChunksPerWorker, _rule.Chunks(inputs)));
        if (ChunkAssignment is { } assignment && (assignment.Length != chunks || assignment.Any(w => (uint)w >= (uint)k)))
        {
            throw new InvalidOperationException($"the chunk assignment has {assignment.Length} entries for {chunks} chunks and {k} workers");
        }

        ReplicateChangedValues();
        PrepareChunks(chunks);
        _deferred.Prepare(batch);
        Internal.Training.DataParallelStepTimes times = LastStepTimes;
        long t0 = Stopwatch.GetTimestamp();
        times.ComputeFork = t0;
        _stepInputs = inputs;
        _stepTargets = targets;
        _stepBatch = batch;
        _nextChunk = 0;
        try
        {
            WorkerTeam.Shared.Run(k, _computeChunks);
        }
        finally
        {
            _stepInputs = null;
            _stepTargets = null;
        }

        long t1 = Stopwatch.GetTimestamp();
        double total = 0;
        for (int c = 0; c < chunks; c++)
        {
            int count = BatchSplit.Part(batch, chunks, c).Count;
            total += _chunkLoss[c] * (double)count;
        }

        // One phase after the chunks: each worker sums the chunks' gradients over its own slice of
        // every parameter, updates that slice of replica 0 with the optimizer and copies the new values
        // to the other replicas (no k-fold repeated step, no separate all-gather of the gradients).
        // Clipping needs the global norm before any update, so it takes a phase more.
        if (_updateOptions.UseSimd != _replicas[0].Options.UseSimd)
        {
            _updateOptions = new ComputeOptions { UseSimd = _replicas[0].Options.UseSimd };
        }

        _stepRate = _optimizer.BeginStep(_replicas[0].Parameters);
        _stepScale = 1f;
        Array.Clear(times.Update);
        Array.Clear(times.UpdateGemm);
        Array.Clear(times.Copy);
        times.UpdateFork = Stopwatch.GetTimestamp();
        _stepReduces = true;
        if (_optimizer.MaxGradientNorm is not null)
        {
            WorkerTeam.Shared.Run(k, _reduceForClipping);
            _stepScale = _optimizer.GradientScale(_sumSquares.Sum());
            _stepReduces = false;
        }

        WorkerTeam.Shared.Run(k, _updateOwned);

        for (int r = 1; r < k; r++)
        {
            foreach (Parameter p in _replicas[r].Parameters)
            {
                p.Version++;
            }
        }

        _optimizer.EndStep(_replicas[0].Parameters);
        for (int p = 0; p < _replicatedVersions.Length; p++)
        {
            _replicatedVersions[p] = _replicas[0].Parameters[p].Version;
        }
        if (k > 1)
        {
            // The next step's forks find the helpers awake even if the caller does other work in between (loads the next batch).
            WorkerTeam.Shared.KeepWarm(KeepWarmTime);
        }

        long t2 = Stopwatch.GetTimestamp();
        times.ComputeWall = t1 - t0;
        times.UpdateWall = t2 - t1;
        return (float)(total / batch);
    }

    /// <summary>Copies to the other replicas the values of every parameter of the model changed since the replicas last held them.</summary>
    private void ReplicateChangedValues()
    {
        IReadOnlyList<Parameter> parameters = _replicas[0].Parameters;
        for (int p = 0; p < parameters.Count; p++)
        {
            if (parameters[p].Version == _replicatedVersions[p])
            {
                continue;
            }

            BroadcastSlice(p, 0, parameters[p].Value.Length);
            for (int r = 1; r < _replicas.Length; r++)
            {
                _replicas[r].Parameters[p].Version++;
            }

            _replicatedVersions[p] = parameters[p].Version;
        }
    }

    /// <summary>Makes room for <paramref name="chunks"/> chunks' gradients and losses.</summary>
    private void PrepareChunks(int chunks)
    {
        _stepChunks = chunks;
        IReadOnlyList<Parameter> parameters = _replicas[0].Parameters;
        while (_chunkGradients.Count < chunks)
        {
            _chunkGradients.Add([.. parameters.Select((p, i) => _deferred.IsDeferred(i) ? p.Gradient : new Tensor([.. p.Gradient.Shape]))]);
        }

        if (_chunkLoss.Length < chunks)
        {
            _chunkLoss = new float[chunks];
            _chunkWorkers = new int[chunks];
        }
    }

    /// <summary>Worker <paramref name="worker"/>'s part of the first phase: forward and backward over chunks of the batch on its replica.</summary>
    private void ComputeChunks(int worker)
    {
        long start = Stopwatch.GetTimestamp();
        int processor = CurrentProcessor.Id;
        int k = _replicas.Length;
        int chunks = _stepChunks;
        int done = 0;
        try
        {
            if (ChunkAssignment is { } assignment)
            {
                for (int c = 0; c < chunks; c++)
                {
                    if (assignment[c] == worker)
                    {
                        RunChunk(worker, c);
                        done++;
                    }
                }
            }
            else if (_fixedAssignment || chunks == k)
            {
                (int first, int count) = BatchSplit.Part(chunks, k, worker);
                for (int c = first; c < first + count; c++)
                {
                    RunChunk(worker, c);
                    done++;
                }
            }
            else
            {
                int c;
                while ((c = Interlocked.Increment(ref _nextChunk) - 1) < chunks)
                {
                    RunChunk(worker, c);
                    done++;
                }
            }
        }
        finally
        {
            IReadOnlyList<Parameter> parameters = _replicas[worker].Parameters;
            Tensor[] home = _chunkGradients[worker]; // the replica's own tensors
            for (int p = 0; p < parameters.Count; p++)
            {
                parameters[p].Gradient = home[p];
            }
        }

        long end = Stopwatch.GetTimestamp();
        LastStepTimes.ComputeStart[worker] = start;
        LastStepTimes.ComputeProcessor[worker] = processor;
        LastStepTimes.ComputeEnd[worker] = end;
        LastStepTimes.Compute[worker] = end - start;
        LastStepTimes.Chunks[worker] = done;
    }

    /// <summary>Forward and backward over chunk <paramref name="chunk"/> on replica <paramref name="worker"/>, its gradients into the chunk's own storage
    /// (the deferred ones' rows into the batch-wide buffers).</summary>
    private void RunChunk(int worker, int chunk)
    {
        (int first, int count) = BatchSplit.Part(_stepBatch, _stepChunks, chunk);
        IReadOnlyList<Parameter> parameters = _replicas[worker].Parameters;
        Tensor[] gradients = _chunkGradients[chunk];
        for (int p = 0; p < parameters.Count; p++)
        {
            if (!_deferred.IsDeferred(p))
            {
                Array.Clear(gradients[p].Data);
                parameters[p].Gradient = gradients[p];
            }
        }

        _chunkLoss[chunk] = _runners[worker].Run(_stepInputs!, _stepTargets!, first, count, _loss, _deferred);
        _chunkWorkers[chunk] = worker;
    }

    /// <summary>Worker <paramref name="owner"/>'s slices of every parameter: reduced into replica 0's gradients (unless the clipping
    /// phase did), updated in the worker's own replica and copied from there to the other replicas.</summary>
    /// <remarks>The optimizer's stores go only to the worker's own replica, whose values no other core reads, so they need not wait for
    /// another core's copy of a line to be invalidated; the values reach the other replicas by bulk copies. Updating the slice in
    /// replica 0 (whose values the caller's core reads) or in a replica another core copies from measured slower (NEURAL.md Run R-data).</remarks>
    private void UpdateOwnedSlices(int owner)
    {
        long start = Stopwatch.GetTimestamp();
        LastStepTimes.UpdateProcessor[owner] = CurrentProcessor.Id;
        bool reduce = _stepReduces;
        IReadOnlyList<Parameter> parameters = _replicas[0].Parameters;
        for (int p = 0; p < parameters.Count; p++)
        {
            (int first, int count) = OwnedSlice(parameters[p].Gradient.Length, owner, _sliceAlignment[p]);
            if (count == 0)
            {
                continue;
            }

            bool deferred = _deferred.IsDeferred(p);
            if (reduce && deferred)
            {
                // The whole slice in one GEMM over all rows (one packing of the output gradients); it
                // stays in L2 for the blocks below.
                long gemmStart = Stopwatch.GetTimestamp();
                _deferred.SetGradient(p, first, count, _updateOptions);
                LastStepTimes.UpdateGemm[owner] += Stopwatch.GetTimestamp() - gemmStart;
            }

            // Block by block, so the sum of the chunks' gradients is still in L1 when the optimizer reads it and the new
            // values when they are copied to the other replicas.
            float[][] perReplica = _valueArrays[p];
            float[] values = perReplica[owner];
            float[] gradient = parameters[p].Gradient.Data;
            for (int block = first; block < first + count; block += UpdateBlock)
            {
                int length = Math.Min(UpdateBlock, first + count - block);
                if (reduce && !deferred)
                {
                    ReduceSlice(p, block, length);
                }

                _optimizer.UpdateRange(p, values, gradient, block, length, _stepRate, _stepScale);
                long copyStart = Stopwatch.GetTimestamp();
                ReadOnlySpan<float> updated = values.AsSpan(block, length);
                for (int r = 0; r < perReplica.Length; r++)
                {
                    if (r != owner)
                    {
                        updated.CopyTo(perReplica[r].AsSpan(block, length));
                    }
                }

                LastStepTimes.Copy[owner] += Stopwatch.GetTimestamp() - copyStart;
            }
        }

        RecordUpdate(owner, start);
    }

    /// <summary>Reduces worker <paramref name="owner"/>'s slices into replica 0 and sums their squares (for the clipping norm).</summary>
    private void ReduceForClipping(int owner)
    {
        long start = Stopwatch.GetTimestamp();
        double sumSquares = 0;
        Tensor[] reducedInto = _chunkGradients[0];
        for (int p = 0; p < reducedInto.Length; p++)
        {
            (int first, int count) = OwnedSlice(reducedInto[p].Length, owner, _sliceAlignment[p]);
            if (_deferred.IsDeferred(p))
            {
                _deferred.SetGradient(p, first, count, _updateOptions);
            }
            else
            {
                ReduceSlice(p, first, count);
            }

            ReadOnlySpan<float> reduced = reducedInto[p].Data.AsSpan(first, count);
            sumSquares += TensorPrimitives.Dot(reduced, reduced);
        }

        _sumSquares[owner] = sumSquares;
        RecordUpdate(owner, start);
    }

    /// <summary>Adds worker <paramref name="owner"/>'s update work since <paramref name="start"/> to the step's times (the first start of the step is kept).</summary>
    private void RecordUpdate(int owner, long start)
    {
        long end = Stopwatch.GetTimestamp();
        Internal.Training.DataParallelStepTimes times = LastStepTimes;
        if (times.Update[owner] == 0)
        {
            times.UpdateStart[owner] = start;
        }

        times.Update[owner] += end - start;
        times.UpdateEnd[owner] = end;
    }

    /// <summary>Replica 0's gradient slice (chunk 0's storage) becomes the sum of every chunk's, in chunk order (each chunk's
    /// gradient is already scaled by its share of the batch).</summary>
    private void ReduceSlice(int parameter, int first, int count)
    {
        Span<float> sum = _chunkGradients[0][parameter].Data.AsSpan(first, count);
        for (int c = 1; c < _stepChunks; c++)
        {
            TensorPrimitives.Add(_chunkGradients[c][parameter].Data.AsSpan(first, count), sum, sum);
        }
    }

    /// <summary>Copies replica 0's updated values of a slice to the other replicas.</summary>
    private void BroadcastSlice(int parameter, int first, int count)
    {
        float[][] perReplica = _valueArrays[parameter];
        ReadOnlySpan<float> updated = perReplica[0].AsSpan(first, count);
        for (int r = 1; r < perReplica.Length; r++)
        {
            updated.CopyTo(perReplica[r].AsSpan(first, count));
        }
    }

    /// <summary>The range of a parameter of <paramref name="length"/> floats that worker <paramref name="owner"/> reduces and updates,
    /// starting on a multiple of <paramref name="alignment"/> floats.</summary>
    private (int First, int Count) OwnedSlice(int length, int owner, int alignment)
    {
        int k = _replicas.Length;
        int blocks = (length + alignment - 1) / alignment;
        int first = Math.Min(length, (int)((long)blocks * owner / k) * alignment);
        int end = Math.Min(length, (int)((long)blocks * (owner + 1) / k) * alignment);
        return (first, end - first);
    }

    private static int LeastCommonMultiple(int a, int b)
    {
        int x = a, y = b;
        while (y != 0)
        {
            (x, y) = (y, x % y);
        }

        return a / x * b;
    }
}
