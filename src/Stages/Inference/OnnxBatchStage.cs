using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Flow.Pipeline;

namespace Flow.Stages.Inference;

/// <summary>
/// A stage that runs an ONNX Runtime session on batches of items (the output of
/// <see cref="StageHandle{T}.Batch(int, TimeSpan?, StageOptions?)"/>). Derived classes say how an item
/// becomes the model's single float input and how the outputs become a result.
/// </summary>
/// <typeparam name="TIn">The item type.</typeparam>
/// <typeparam name="TOut">The result type, one per item.</typeparam>
/// <remarks>
/// <para>Add it with a factory, <c>.Then(() =&gt; new MyStage(...), new StageOptions { MaxDegreeOfParallelism = N })</c>,
/// to get N replicas, each with its own session (data parallelism; a session is used by one batch at a time).</para>
/// <para>When the model's first input dimension is dynamic, a batch runs as one call with batch size N
/// (dynamic batching); when it is fixed to 1, the items of a batch run one after another on the same session.</para>
/// <para>Each replica keeps its input and output buffers from call to call (pinned, bound to the session as
/// ONNX Runtime values), so a call allocates nothing large: the outputs a model declares with fixed shapes
/// (apart from the batch dimension) are written by ONNX Runtime straight into those buffers.</para>
/// </remarks>
public abstract class OnnxBatchStage<TIn, TOut> : IStage<TIn[], TOut[]>, IDisposable
{
    private readonly OnnxModelOptions _options;
    private InferenceSession? _session;
    private OnnxTensorInfo? _input;
    private IReadOnlyList<OnnxTensorInfo> _outputs = [];
    private int[] _itemShape = [];
    private int _itemLength;
    private RunOptions? _runOptions;
    private string[] _inputNames = [];
    private string[] _outputNames = [];
    private readonly Dictionary<int, Binding> _bindings = [];
    private ReadOnlyMemory<float>[] _slices = [];

    /// <summary>Creates the stage; the session is created when the stage is opened.</summary>
    /// <param name="options">The model file and session settings; a snapshot is taken.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    protected OnnxBatchStage(OnnxModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
    }

    /// <summary>The model file.</summary>
    public string ModelPath => _options.ModelPath;

    /// <summary>The model's input, known once the stage is opened.</summary>
    /// <exception cref="InvalidOperationException">The stage is not open.</exception>
    public OnnxTensorInfo Input => _input ?? throw new InvalidOperationException("the stage is not open");

    /// <summary>The model's outputs in declaration order, known once the stage is opened.</summary>
    public IReadOnlyList<OnnxTensorInfo> Outputs => _outputs;

    /// <summary>Whether one call runs a whole batch (the model's first input dimension is dynamic).</summary>
    public bool SupportsBatching { get; private set; }

    /// <summary>How many sessions calls have been made, for tests and reports.</summary>
    public long SessionRuns => Interlocked.Read(ref _sessionRuns);

    private long _sessionRuns;

    /// <inheritdoc />
    /// <remarks>The session is created on a thread-pool thread, so the replicas of a stage (and the pipeline's other
    /// stages, which the pipeline opens at the same time) load their models in parallel rather than one after another.</remarks>
    /// <exception cref="OnnxModelException">The file is missing, is not a valid model, or its inputs do not match.</exception>
    public async ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken) =>
        await Task.Run(Open, cancellationToken).ConfigureAwait(false);

    private void Open()
    {
        _session = OnnxSessions.Create(_options);
        try
        {
            var inputs = OnnxSessions.Describe(_session.InputMetadata);
            _outputs = OnnxSessions.Describe(_session.OutputMetadata);
            if (inputs.Count != 1 || inputs[0].ElementType != typeof(float))
            {
                throw new OnnxModelException(ModelPath, $"model '{ModelPath}' has inputs {string.Join(", ", inputs.Select(i => $"'{i.Name}' {i.FormatShape()} {i.ElementType.Name}"))}; this stage needs exactly one float input");
            }

            _input = inputs[0];
            if (_input.Dimensions.Count < 2)
            {
                throw new OnnxModelException(ModelPath, $"model '{ModelPath}' input '{_input.Name}' has shape {_input.FormatShape()}; this stage needs a batch dimension first");
            }

            _itemShape = ResolveItemShape(_input);
            _itemLength = 1;
            foreach (int d in _itemShape)
            {
                if (d <= 0)
                {
                    throw new OnnxModelException(ModelPath, $"model '{ModelPath}' input '{_input.Name}' has shape {_input.FormatShape()}; only the batch dimension may be dynamic");
                }

                _itemLength *= d;
            }

            SupportsBatching = _input.Dimensions[0] < 0;
            if (!SupportsBatching && _input.Dimensions[0] != 1)
            {
                throw new OnnxModelException(ModelPath, $"model '{ModelPath}' input '{_input.Name}' has shape {_input.FormatShape()}; the batch dimension must be 1 or dynamic");
            }

            ValidateModel(_input, _outputs);
            _inputNames = [_input.Name];
            _outputNames = _outputs.Select(o => o.Name).ToArray();
            _slices = new ReadOnlyMemory<float>[_outputs.Count];
            _runOptions = new RunOptions();
        }
        catch
        {
            _session.Dispose();
            _session = null;
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask<TOut[]> ProcessAsync(TIn[] item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var session = _session ?? throw new InvalidOperationException("the stage is not open");
        var results = new TOut[item.Length];
        if (SupportsBatching)
        {
            RunBatch(session, item, 0, item.Length, results);
        }
        else
        {
            for (int i = 0; i < item.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                RunBatch(session, item, i, 1, results);
            }
        }

        // Only once the whole batch has its results: a retried batch must still find its inputs.
        foreach (var done in item)
        {
            ReleaseInput(done);
        }

        return ValueTask.FromResult(results);
    }

    /// <inheritdoc />
    public ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        Release();
        return ValueTask.CompletedTask;
    }

    /// <summary>Releases the session and its buffers if the stage was opened and not closed.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the session and its buffers.</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Release();
        }
    }

    private void Release()
    {
        foreach (var binding in _bindings.Values)
        {
            binding.Dispose();
        }

        _bindings.Clear();
        _runOptions?.Dispose();
        _runOptions = null;
        _session?.Dispose();
        _session = null;
    }

    /// <summary>
    /// The shape of one item's input (the model's input without its batch dimension). By default the
    /// model's declared shape; override to fill dynamic spatial dimensions.
    /// </summary>
    /// <param name="input">The model's input.</param>
    /// <returns>The per-item shape; every dimension must be positive.</returns>
    protected virtual int[] ResolveItemShape(OnnxTensorInfo input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Dimensions.Skip(1).ToArray();
    }

    /// <summary>
    /// Checks that the model fits the stage, once, when the stage is opened. Throw an
    /// <see cref="OnnxModelException"/> that names <see cref="ModelPath"/> and says what was expected.
    /// </summary>
    /// <param name="input">The model's single float input.</param>
    /// <param name="outputs">The model's outputs.</param>
    protected abstract void ValidateModel(OnnxTensorInfo input, IReadOnlyList<OnnxTensorInfo> outputs);

    /// <summary>Writes one item's input tensor (without the batch dimension) into <paramref name="destination"/>.</summary>
    /// <param name="item">The item.</param>
    /// <param name="destination">Exactly as many floats as the per-item input shape holds.</param>
    protected abstract void WriteInput(TIn item, Span<float> destination);

    /// <summary>Turns one item's slice of the outputs into its result.</summary>
    /// <param name="item">The item.</param>
    /// <param name="outputs">Each output's values for this item only, in output order (empty for an output that
    /// is not float). The memory is reused by the next call: copy what the result keeps.</param>
    /// <returns>The result.</returns>
    protected abstract TOut ReadOutput(TIn item, IReadOnlyList<ReadOnlyMemory<float>> outputs);

    /// <summary>
    /// Called for every item of a batch once the whole batch has its results, so an item can give back
    /// buffers it no longer needs (e.g. a pooled input tensor). Not called for a batch that failed.
    /// </summary>
    /// <param name="item">The item.</param>
    protected virtual void ReleaseInput(TIn item)
    {
    }

    private void RunBatch(InferenceSession session, TIn[] items, int start, int count, TOut[] results)
    {
        var binding = BindingFor(count);
        for (int i = 0; i < count; i++)
        {
            WriteInput(items[start + i], binding.Input.AsSpan(i * _itemLength, _itemLength));
        }

        if (binding.OutputValues is { } outputValues)
        {
            session.Run(_runOptions, _inputNames, binding.InputValues, _outputNames, outputValues);
            Interlocked.Increment(ref _sessionRuns);
            ReadResults(items, start, count, results, binding.Outputs);
            return;
        }

        // Outputs whose size is only known after the call (dynamic dimensions besides the batch): ONNX Runtime allocates them.
        using var outputs = session.Run(_runOptions, _inputNames, binding.InputValues, _outputNames);
        Interlocked.Increment(ref _sessionRuns);
        var arrays = new float[outputs.Count][];
        for (int o = 0; o < outputs.Count; o++)
        {
            var value = outputs[o];
            arrays[o] = value.IsTensor && value.GetTensorTypeAndShape().ElementDataType == TensorElementType.Float
                ? value.GetTensorDataAsSpan<float>().ToArray()
                : [];
        }

        ReadResults(items, start, count, results, arrays);
    }

    private void ReadResults(TIn[] items, int start, int count, TOut[] results, float[][] arrays)
    {
        for (int i = 0; i < count; i++)
        {
            for (int o = 0; o < arrays.Length; o++)
            {
                int per = arrays[o].Length / count;
                _slices[o] = arrays[o].AsMemory(i * per, per);
            }

            results[start + i] = ReadOutput(items[start + i], _slices);
        }
    }

    private Binding BindingFor(int count)
    {
        if (_bindings.TryGetValue(count, out var binding))
        {
            return binding;
        }

        var shape = new long[_itemShape.Length + 1];
        shape[0] = count;
        for (int d = 0; d < _itemShape.Length; d++)
        {
            shape[d + 1] = _itemShape[d];
        }

        binding = new Binding(new float[count * _itemLength], shape);
        // Outputs can be bound ahead of the call when every one is float with a known size for this batch size.
        if (_outputs.All(o => o.ElementType == typeof(float) && o.Dimensions.Count >= 2 && (o.Dimensions[0] < 0 || o.Dimensions[0] == count) && o.Dimensions.Skip(1).All(d => d > 0)))
        {
            binding.BindOutputs(_outputs.Select(o => (long[])[count, .. o.Dimensions.Skip(1).Select(d => (long)d)]).ToArray());
        }

        _bindings[count] = binding;
        return binding;
    }

    /// <summary>One batch size's buffers, pinned and wrapped as ONNX Runtime values for the replica's lifetime.</summary>
    private sealed class Binding : IDisposable
    {
        public Binding(float[] input, long[] shape)
        {
            Input = input;
            InputValues = [OrtValue.CreateTensorValueFromMemory(input, shape)];
        }

        public float[] Input { get; }

        public OrtValue[] InputValues { get; }

        public float[][] Outputs { get; private set; } = [];

        public OrtValue[]? OutputValues { get; private set; }

        public void BindOutputs(long[][] shapes)
        {
            Outputs = shapes.Select(shape => new float[shape.Aggregate(1L, (a, b) => a * b)]).ToArray();
            OutputValues = Outputs.Select((array, o) => OrtValue.CreateTensorValueFromMemory(array, shapes[o])).ToArray();
        }

        public void Dispose()
        {
            foreach (var value in InputValues.Concat(OutputValues ?? []))
            {
                value.Dispose();
            }
        }
    }
}
