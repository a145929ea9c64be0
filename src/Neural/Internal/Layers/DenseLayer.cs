using System.Numerics.Tensors;
using Flow.Neural.Internal.Kernels;

namespace Flow.Neural.Internal.Layers;

/// <summary>y = x·W + b with W stored [inputs, outputs], so output neurons are GEMM columns.</summary>
internal sealed class DenseLayer : Layer
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;
    private float[]? _packed;
    private int _packedVersion = -1;
    private float[]? _packedTransposed;
    private int _packedTransposedVersion = -1;
    private DeferredRows? _gathered;

    internal DenseLayer(int inputs, int outputs, WeightInit init, int seed)
    {
        Inputs = inputs;
        Outputs = outputs;
        _weight = new Parameter("weight", new Tensor(inputs, outputs));
        _bias = new Parameter("bias", new Tensor(outputs));
        Init.Fill(_weight.Value.Span, inputs, outputs, init, seed);
        Parameters = [_weight, _bias];
    }

    internal int Inputs { get; }

    internal int Outputs { get; }

    public override string Description => $"Dense({Inputs}→{Outputs})";

    public override IReadOnlyList<Parameter> Parameters { get; }

    internal override LayerKind Kind => LayerKind.Dense;

    internal override int[] Config => [Inputs, Outputs];

    internal Parameter Weight => _weight;

    internal Parameter Bias => _bias;

    internal override Tensor Forward(Tensor input, LayerState state, LayerContext context)
    {
        if (input.Rank != 2 || input.Dim(1) != Inputs)
        {
            throw new ArgumentException($"{Description} expects input [batch, {Inputs}], got {input}", nameof(input));
        }

        int batch = input.Dim(0);
        Tensor output = LayerState.Ensure(ref state.Output, batch, Outputs);
        if (batch <= Gemv.MaxRows && context.Options.UseSimd && Gemv.IsSupported)
        {
            // A batch of a few rows: one pass over W per row, read in place (the same code for any
            // degree of parallelism, so N cores equal one).
            for (int r = 0; r < batch; r++)
            {
                Gemv.Multiply(input.Data.AsSpan(r * Inputs, Inputs), _weight.Value.Data, Inputs, Outputs, output.Data.AsSpan(r * Outputs, Outputs));
            }
        }
        else
        {
            Gemm.Multiply(
                new MatrixRef(input.Data, 0, Inputs, false),
                new MatrixRef(_weight.Value.Data, 0, Outputs, false),
                output.Data, 0, Outputs, batch, Outputs, Inputs, accumulate: false, GemmPartition.Columns, context.Options,
                context.CacheWeightPanels ? PackedWeight() : null);
        }

        ReadOnlySpan<float> bias = _bias.Value.Span;
        for (int r = 0; r < batch; r++)
        {
            Span<float> row = output.Data.AsSpan(r * Outputs, Outputs);
            TensorPrimitives.Add(row, bias, row);
        }

        state.Input = input;
        return output;
    }

    internal override Tensor Backward(Tensor gradOutput, LayerState state, LayerContext context)
    {
        Tensor input = state.Input ?? throw new InvalidOperationException($"{Description}: backward called before forward");
        int batch = input.Dim(0);
        if (context.DeferWeightGradients)
        {
            // Pipeline stage: dW waits for FlushDeferredGradients.
            state.GradOutput = gradOutput;
        }
        else
        {
            // dW += xᵀ·dy (columns of dW are the output neurons, split across cores).
            Gemm.Multiply(
                new MatrixRef(input.Data, 0, Inputs, true),
                new MatrixRef(gradOutput.Data, 0, Outputs, false),
                _weight.Gradient.Data, 0, Outputs, Inputs, Outputs, batch, accumulate: true, GemmPartition.Columns, context.Options);
            AddBiasGradient(gradOutput.Data, batch, 0, Outputs);
        }

        if (context.SkipInputGradient)
        {
            return gradOutput;
        }

        // dx = dy·Wᵀ; a pipeline stage reads Wᵀ packed once per optimizer step instead of packing it
        // again for every micro-batch.
        Tensor gradInput = LayerState.Ensure(ref state.GradInput, batch, Inputs);
        Gemm.Multiply(
            new MatrixRef(gradOutput.Data, 0, Outputs, false),
            new MatrixRef(_weight.Value.Data, 0, Outputs, true),
            gradInput.Data, 0, Inputs, batch, Inputs, Outputs, accumulate: false, GemmPartition.Columns, context.Options,
            context.CacheWeightPanels ? PackedTransposedWeight() : null);
        return gradInput;
    }

    internal override void FlushDeferredGradients(IReadOnlyList<LayerState> states, LayerContext context)
    {
        // Gather every micro-batch's x and dy into one [rows, ·] pair, then one GEMM: the dW block is
        // read and written once per step instead of once per micro-batch.
        int rows = 0;
        foreach (LayerState s in states)
        {
            rows += s.GradOutput is null ? 0 : s.Input!.Dim(0);
        }

        if (rows == 0)
        {
            return;
        }

        DeferredRows gathered = _gathered ??= CreateDeferredRows();
        gathered.Reset(rows);
        int row = 0;
        foreach (LayerState s in states)
        {
            if (s.GradOutput is not null)
            {
                int n = s.Input!.Dim(0);
                CollectDeferred(s, gathered, row);
                row += n;
            }
        }

        Gemm.Multiply(
            new MatrixRef(gathered.Inputs, 0, Inputs, true),
            new MatrixRef(gathered.Gradients, 0, Outputs, false),
            _weight.Gradient.Data, 0, Outputs, Inputs, Outputs, rows, accumulate: true, GemmPartition.Columns, context.Options);
        AddBiasGradient(gathered.Gradients, rows, 0, Outputs);
    }

    internal override DeferredRows CreateDeferredRows() => new(Inputs, Outputs);

    internal override void CollectDeferred(LayerState state, DeferredRows rows, int firstRow)
    {
        Tensor g = state.GradOutput ?? throw new InvalidOperationException($"{Description}: no deferred gradient to collect");
        int n = state.Input!.Dim(0);
        state.Input.Data.AsSpan(0, n * Inputs).CopyTo(rows.Inputs.AsSpan(firstRow * Inputs));
        g.Data.AsSpan(0, n * Outputs).CopyTo(rows.Gradients.AsSpan(firstRow * Outputs));
        state.GradOutput = null;
    }

    /// <summary>A slice of dW is whole rows of it (one input's weights), so it is one GEMM over rows of xᵀ; db goes float by float.</summary>
    internal override int DeferredSliceUnit(int parameter) => parameter == 0 ? Outputs : 1;

    internal override void SetDeferredGradient(int parameter, DeferredRows rows, int first, int count, ComputeOptions options)
    {
        if (count == 0)
        {
            return;
        }

        if (parameter == 0)
        {
            // dW[i0 .. i0 + m, ·] = x[·, i0 .. i0 + m]ᵀ · dy over all rows.
            int i0 = first / Outputs;
            Gemm.Multiply(
                new MatrixRef(rows.Inputs, i0, Inputs, true),
                new MatrixRef(rows.Gradients, 0, Outputs, false),
                _weight.Gradient.Data, first, Outputs, count / Outputs, Outputs, rows.Rows, accumulate: false, GemmPartition.Columns, options);
            return;
        }

        _bias.Gradient.Data.AsSpan(first, count).Clear();
        AddBiasGradient(rows.Gradients, rows.Rows, first, count);
    }

    /// <summary>db[first .. first + count) += the rows' dy over those outputs, row by row.</summary>
    private void AddBiasGradient(float[] gradOutput, int rows, int first, int count)
    {
        Span<float> db = _bias.Gradient.Data.AsSpan(first, count);
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(db, gradOutput.AsSpan((r * Outputs) + first, count), db);
        }
    }

    internal override void PrepareCachedWeights(bool forward, bool backward)
    {
        if (forward)
        {
            PackedWeight();
        }

        if (backward)
        {
            PackedTransposedWeight();
        }
    }

    /// <summary>W packed for the GEMM, refreshed when the optimizer changes W (pipeline micro-batches share it).</summary>
    private float[] PackedWeight()
    {
        if (_packed is null || _packedVersion != _weight.Version)
        {
            _packed = Gemm.PackWhole(new MatrixRef(_weight.Value.Data, 0, Outputs, false), Inputs, Outputs, _packed);
            _packedVersion = _weight.Version;
        }

        return _packed;
    }

    /// <summary>Wᵀ packed for the GEMM, refreshed when the optimizer changes W.</summary>
    private float[] PackedTransposedWeight()
    {
        if (_packedTransposed is null || _packedTransposedVersion != _weight.Version)
        {
            _packedTransposed = Gemm.PackWhole(new MatrixRef(_weight.Value.Data, 0, Outputs, true), Outputs, Inputs, _packedTransposed);
            _packedTransposedVersion = _weight.Version;
        }

        return _packedTransposed;
    }
}
