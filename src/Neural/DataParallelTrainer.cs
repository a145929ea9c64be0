using System.Diagnostics;
using System.Numerics.Tensors;
using Flow.Neural.Internal.Threading;
using Flow.Neural.Internal.Training;

namespace Flow.Neural;

/// <summary>
/// Synchronous data-parallel training: K replicas of one model each run forward and backward on a
/// shard of the global batch on their own core; then each worker takes a slice of every parameter,
/// averages the replicas' gradients over it (weighted by shard size), updates it with the one
/// optimizer and copies the new values to every replica, so all replicas stay identical and the
/// result equals single-worker training on the whole batch.
/// </summary>
/// <remarks>
/// After a step, <see cref="Model"/>'s gradients hold the averaged gradient of the whole batch; the other
/// replicas' gradients hold their own shard's. Not thread-safe: call <see cref="TrainStep"/> from one thread at a time.
/// </remarks>
public sealed class DataParallelTrainer : IBatchTrainer
{
    /// <summary>Slices of a parameter start on multiples of this many floats (one Vector512), so no vector straddles two workers.</summary>
    private const int SliceAlignment = 16;

    private readonly Sequential[] _replicas;
    private readonly Optimizer _optimizer;
    private readonly Loss _loss;
    private readonly Tensor?[] _inputShards;
    private readonly Tensor?[] _targetShards;
    private readonly Tensor?[] _gradients;
    private readonly float[] _shardLoss;
    private readonly float[] _weights;
    private readonly double[] _sumSquares;

    /// <summary>Each parameter's gradient array in every replica: [parameter][replica].</summary>
    private readonly float[][][] _gradientArrays;

    /// <summary>Each parameter's value array in every replica: [parameter][replica].</summary>
    private readonly float[][][] _valueArrays;
    private readonly Action<int> _computeShard;
    private readonly Action<int> _reduceAndUpdate;
    private readonly Action<int> _reduceForClipping;
    private readonly Action<int> _updateSlice;
    private Tensor? _stepInputs;
    private Tensor? _stepTargets;
    private int _stepBatch;
    private float _stepRate;
    private float _stepScale;

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
        _inputShards = new Tensor?[replicas];
        _targetShards = new Tensor?[replicas];
        _gradients = new Tensor?[replicas];
        _shardLoss = new float[replicas];
        _weights = new float[replicas];
        _sumSquares = new double[replicas];
        _gradientArrays = [.. Enumerable.Range(0, model.Parameters.Count).Select(p => _replicas.Select(r => r.Parameters[p].Gradient.Data).ToArray())];
        _valueArrays = [.. Enumerable.Range(0, model.Parameters.Count).Select(p => _replicas.Select(r => r.Parameters[p].Value.Data).ToArray())];
        _computeShard = ComputeShard;
        _reduceAndUpdate = owner => UpdateOwnedSlices(owner, reduce: true);
        _reduceForClipping = ReduceForClipping;
        _updateSlice = owner => UpdateOwnedSlices(owner, reduce: false);
        LastStepTimes = new Internal.Training.DataParallelStepTimes(replicas);
    }

    /// <summary>Gets the number of replicas.</summary>
    public int Replicas => _replicas.Length;

    /// <summary>Gets replica 0, the model passed to the constructor.</summary>
    public Sequential Model => _replicas[0];

    /// <summary>Gets where the last step's time went, per phase and per worker (overwritten by every step).</summary>
    internal Internal.Training.DataParallelStepTimes LastStepTimes { get; }

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

        Internal.Training.DataParallelStepTimes times = LastStepTimes;
        long t0 = Stopwatch.GetTimestamp();
        _stepInputs = inputs;
        _stepTargets = targets;
        _stepBatch = batch;
        try
        {
            WorkerTeam.Shared.Run(k, _computeShard);
        }
        finally
        {
            _stepInputs = null;
            _stepTargets = null;
        }

        long t1 = Stopwatch.GetTimestamp();
        double total = 0;
        for (int r = 0; r < k; r++)
        {
            int count = BatchSplit.Part(batch, k, r).Count;
            _weights[r] = (float)count / batch;
            total += _shardLoss[r] * (double)count;
        }

        // One phase after the shards: each worker sums the replicas' gradients over its own slice of
        // every parameter, updates that slice of replica 0 with the optimizer and copies the new values
        // to the other replicas (no k-fold repeated step, no separate all-gather of the gradients).
        // Clipping needs the global norm before any update, so it takes a phase more.
        _stepRate = _optimizer.BeginStep(_replicas[0].Parameters);
        _stepScale = 1f;
        Array.Clear(times.Update);
        if (_optimizer.MaxGradientNorm is null)
        {
            WorkerTeam.Shared.Run(k, _reduceAndUpdate);
        }
        else
        {
            WorkerTeam.Shared.Run(k, _reduceForClipping);
            _stepScale = _optimizer.GradientScale(_sumSquares.Sum());
            WorkerTeam.Shared.Run(k, _updateSlice);
        }

        for (int r = 1; r < k; r++)
        {
            foreach (Parameter p in _replicas[r].Parameters)
            {
                p.Version++;
            }
        }

        _optimizer.EndStep(_replicas[0].Parameters);
        long t2 = Stopwatch.GetTimestamp();
        times.ComputeWall = t1 - t0;
        times.UpdateWall = t2 - t1;
        return (float)(total / batch);
    }

    /// <summary>Worker <paramref name="r"/>'s forward and backward pass over its shard of the batch.</summary>
    private void ComputeShard(int r)
    {
        long start = Stopwatch.GetTimestamp();
        int k = _replicas.Length;
        (int first, int count) = BatchSplit.Part(_stepBatch, k, r);
        Tensor x = BatchSplit.CopyRows(_stepInputs!, first, count, ref _inputShards[r]);
        Tensor y = BatchSplit.CopyRows(_stepTargets!, first, count, ref _targetShards[r]);
        Sequential replica = _replicas[r];
        replica.ZeroGradients();
        Tensor output = replica.Forward(x, training: true);
        if (_gradients[r] is null || !_gradients[r]!.HasShape([.. output.Shape]))
        {
            _gradients[r] = new Tensor([.. output.Shape]);
        }

        _shardLoss[r] = _loss.Compute(output, y, _gradients[r]!);
        replica.BackwardParameters(_gradients[r]!);
        LastStepTimes.Compute[r] = Stopwatch.GetTimestamp() - start;
    }

    /// <summary>Worker <paramref name="owner"/>'s slices of every parameter: reduced into replica 0 (unless the clipping phase did), updated there and copied to the other replicas.</summary>
    private void UpdateOwnedSlices(int owner, bool reduce)
    {
        long start = Stopwatch.GetTimestamp();
        IReadOnlyList<Parameter> parameters = _replicas[0].Parameters;
        for (int p = 0; p < parameters.Count; p++)
        {
            (int first, int count) = OwnedSlice(_gradientArrays[p][0].Length, owner);
            if (count == 0)
            {
                continue;
            }

            if (reduce)
            {
                ReduceSlice(p, first, count);
            }

            _optimizer.UpdateRange(p, parameters[p], first, count, _stepRate, _stepScale);
            BroadcastSlice(p, first, count);
        }

        LastStepTimes.Update[owner] += Stopwatch.GetTimestamp() - start;
    }

    /// <summary>Reduces worker <paramref name="owner"/>'s slices into replica 0 and sums their squares (for the clipping norm).</summary>
    private void ReduceForClipping(int owner)
    {
        long start = Stopwatch.GetTimestamp();
        double sumSquares = 0;
        for (int p = 0; p < _gradientArrays.Length; p++)
        {
            (int first, int count) = OwnedSlice(_gradientArrays[p][0].Length, owner);
            ReduceSlice(p, first, count);
            ReadOnlySpan<float> reduced = _gradientArrays[p][0].AsSpan(first, count);
            sumSquares += TensorPrimitives.Dot(reduced, reduced);
        }

        _sumSquares[owner] = sumSquares;
        LastStepTimes.Update[owner] += Stopwatch.GetTimestamp() - start;
    }

    /// <summary>Replica 0's gradient slice becomes the shard-size-weighted sum of every replica's.</summary>
    private void ReduceSlice(int parameter, int first, int count)
    {
        float[][] perReplica = _gradientArrays[parameter];
        Span<float> sum = perReplica[0].AsSpan(first, count);
        TensorPrimitives.Multiply(sum, _weights[0], sum);
        for (int r = 1; r < perReplica.Length; r++)
        {
            TensorPrimitives.MultiplyAdd(perReplica[r].AsSpan(first, count), _weights[r], sum, sum);
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

    /// <summary>The range of a parameter of <paramref name="length"/> floats that worker <paramref name="owner"/> reduces and updates.</summary>
    private (int First, int Count) OwnedSlice(int length, int owner)
    {
        int k = _replicas.Length;
        int blocks = (length + SliceAlignment - 1) / SliceAlignment;
        int first = Math.Min(length, (int)((long)blocks * owner / k) * SliceAlignment);
        int end = Math.Min(length, (int)((long)blocks * (owner + 1) / k) * SliceAlignment);
        return (first, end - first);
    }
}
