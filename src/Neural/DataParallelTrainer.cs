namespace Flow.Neural;

/// <summary>
/// Synchronous data-parallel training: K replicas of one model each run forward and backward on a
/// shard of the global batch on their own core; gradients are all-reduced (averaged, weighted by
/// shard size) and every replica takes the same optimizer step, so all replicas stay identical and
/// the result equals single-worker training on the whole batch.
/// </summary>
/// <remarks>Not thread-safe: call <see cref="TrainStep"/> from one thread at a time.</remarks>
public sealed class DataParallelTrainer : IBatchTrainer
{
    private readonly Sequential[] _replicas;
    private readonly Optimizer[] _optimizers;
    private readonly Loss _loss;
    private readonly Tensor?[] _inputShards;
    private readonly Tensor?[] _targetShards;
    private readonly Tensor?[] _gradients;
    private readonly float[] _shardLoss;
    private readonly float[] _weights;

    /// <summary>Each parameter's gradient array in every replica: [parameter][replica].</summary>
    private readonly float[][][] _gradientArrays;
    private readonly Action<int> _reduceSlice;
    private readonly Action<int> _step;

    /// <summary>Creates a trainer whose first replica is <paramref name="model"/> and the others clones of it.</summary>
    /// <param name="model">The model to train; it becomes replica 0 and holds the trained parameters.</param>
    /// <param name="loss">The loss function.</param>
    /// <param name="optimizerFactory">Creates one optimizer per replica; every call must return an identically configured optimizer.</param>
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
        _optimizers = new Optimizer[replicas];
        _replicas[0] = model;
        for (int k = 0; k < replicas; k++)
        {
            if (k > 0)
            {
                _replicas[k] = model.Clone();
            }

            _optimizers[k] = optimizerFactory();
        }

        _inputShards = new Tensor?[replicas];
        _targetShards = new Tensor?[replicas];
        _gradients = new Tensor?[replicas];
        _shardLoss = new float[replicas];
        _weights = new float[replicas];
        _gradientArrays = [.. Enumerable.Range(0, model.Parameters.Count).Select(p => _replicas.Select(r => r.Parameters[p].Gradient.Data).ToArray())];
        _reduceSlice = ReduceSlice;
        _step = r => _optimizers[r].Step(_replicas[r].Parameters);
    }

    /// <summary>Gets the number of replicas.</summary>
    public int Replicas => _replicas.Length;

    /// <summary>Gets replica 0, the model passed to the constructor.</summary>
    public Sequential Model => _replicas[0];

    /// <summary>Runs one synchronous training step on a global batch.</summary>
    /// <param name="inputs">The global batch of inputs; its first dimension is the batch size, at least <see cref="Replicas"/>.</param>
    /// <param name="targets">The matching targets.</param>
    /// <returns>The mean loss over the global batch (before the step).</returns>
    /// <exception cref="ArgumentException">The batch is smaller than the number of replicas, or inputs and targets disagree on the batch size.</exception>
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

        RunOnEachWorker(k, r =>
        {
            (int start, int count) = Shard(batch, k, r);
            Tensor x = Slice(inputs, start, count, ref _inputShards[r]);
            Tensor y = Slice(targets, start, count, ref _targetShards[r]);
            Sequential replica = _replicas[r];
            replica.ZeroGradients();
            Tensor output = replica.Forward(x, training: true);
            if (_gradients[r] is null || !_gradients[r]!.HasShape([.. output.Shape]))
            {
                _gradients[r] = new Tensor([.. output.Shape]);
            }

            _shardLoss[r] = _loss.Compute(output, y, _gradients[r]!);
            replica.BackwardParameters(_gradients[r]!);
        });

        AllReduce(batch);

        RunOnEachWorker(k, _step);

        double total = 0;
        for (int r = 0; r < k; r++)
        {
            total += _shardLoss[r] * (double)Shard(batch, k, r).Count;
        }

        return (float)(total / batch);
    }

    /// <summary>
    /// Reduce-scatter then all-gather: worker r owns a slice of every parameter, sums the replicas'
    /// gradients for it (weighted by shard size) with SIMD and writes the result back to every replica.
    /// </summary>
    private void AllReduce(int batch)
    {
        int k = _replicas.Length;
        if (k == 1)
        {
            return;
        }

        for (int r = 0; r < k; r++)
        {
            _weights[r] = (float)Shard(batch, k, r).Count / batch;
        }

        RunOnEachWorker(k, _reduceSlice);
    }

    /// <summary>
    /// Runs part r of a phase on worker r: the caller and the worker team's persistent helpers, which
    /// spin between the phases of a step instead of being woken by the thread pool three times per step.
    /// </summary>
    private static void RunOnEachWorker(int k, Action<int> body)
    {
        if (!Internal.Threading.WorkerTeam.Shared.TryRun(k, body))
        {
            Parallel.For(0, k, new ParallelOptions { MaxDegreeOfParallelism = k }, body);
        }
    }

    /// <summary>Reduces worker <paramref name="owner"/>'s slice of every parameter's gradient across the replicas.</summary>
    private void ReduceSlice(int owner)
    {
        int k = _replicas.Length;
        foreach (float[][] perReplica in _gradientArrays)
        {
            int length = perReplica[0].Length;
            int start = (int)((long)length * owner / k);
            int end = (int)((long)length * (owner + 1) / k);
            Span<float> sum = perReplica[0].AsSpan(start, end - start);
            System.Numerics.Tensors.TensorPrimitives.Multiply(sum, _weights[0], sum);
            for (int r = 1; r < k; r++)
            {
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(perReplica[r].AsSpan(start, end - start), _weights[r], sum, sum);
            }

            for (int r = 1; r < k; r++)
            {
                sum.CopyTo(perReplica[r].AsSpan(start, end - start));
            }
        }
    }

    private static (int Start, int Count) Shard(int batch, int k, int r)
    {
        int start = (int)((long)batch * r / k);
        int end = (int)((long)batch * (r + 1) / k);
        return (start, end - start);
    }

    private static Tensor Slice(Tensor source, int start, int count, ref Tensor? buffer)
    {
        int rowSize = source.Length / source.Dim(0);
        int[] shape = [.. source.Shape];
        shape[0] = count;
        if (buffer is null || !buffer.HasShape(shape))
        {
            buffer = new Tensor(shape);
        }

        source.Data.AsSpan(start * rowSize, count * rowSize).CopyTo(buffer.Data);
        return buffer;
    }
}
