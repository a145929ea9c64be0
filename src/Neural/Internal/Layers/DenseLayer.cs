using System.Numerics.Tensors;
using Flow.Neural.Internal.Kernels;

namespace Flow.Neural.Internal.Layers;

/// <summary>y = x·W + b with W stored [inputs, outputs], so output neurons are GEMM columns.</summary>
internal sealed class DenseLayer : Layer
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;
    private float[]? _transposed;
    private int _transposedVersion = -1;
    private float[]? _gatheredInput;
    private float[]? _gatheredGradient;

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
        Gemm.Multiply(
            new MatrixRef(input.Data, 0, Inputs, false),
            new MatrixRef(_weight.Value.Data, 0, Outputs, false),
            output.Data, 0, Outputs, batch, Outputs, Inputs, accumulate: false, GemmPartition.Columns, context.Options);
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
        Tensor gradInput = LayerState.Ensure(ref state.GradInput, batch, Inputs);
        if (context.DeferWeightGradients)
        {
            // Pipeline stage: dW waits for FlushDeferredGradients; dx = dy·Wᵀ reads a transposed copy of W
            // made once per optimizer step instead of packing Wᵀ again for every micro-batch.
            state.GradOutput = gradOutput;
            float[] transposed = TransposedWeight();
            Gemm.Multiply(
                new MatrixRef(gradOutput.Data, 0, Outputs, false),
                new MatrixRef(transposed, 0, Inputs, false),
                gradInput.Data, 0, Inputs, batch, Inputs, Outputs, accumulate: false, GemmPartition.Columns, context.Options);
            return gradInput;
        }

        // dW += xᵀ·dy (columns of dW are the output neurons, split across cores).
        Gemm.Multiply(
            new MatrixRef(input.Data, 0, Inputs, true),
            new MatrixRef(gradOutput.Data, 0, Outputs, false),
            _weight.Gradient.Data, 0, Outputs, Inputs, Outputs, batch, accumulate: true, GemmPartition.Columns, context.Options);
        AddBiasGradient(gradOutput.Data, batch);

        // dx = dy·Wᵀ.
        Gemm.Multiply(
            new MatrixRef(gradOutput.Data, 0, Outputs, false),
            new MatrixRef(_weight.Value.Data, 0, Outputs, true),
            gradInput.Data, 0, Inputs, batch, Inputs, Outputs, accumulate: false, GemmPartition.Columns, context.Options);
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

        float[] x = EnsureLength(ref _gatheredInput, rows * Inputs);
        float[] dy = EnsureLength(ref _gatheredGradient, rows * Outputs);
        int row = 0;
        foreach (LayerState s in states)
        {
            if (s.GradOutput is not { } g)
            {
                continue;
            }

            int n = s.Input!.Dim(0);
            s.Input.Data.AsSpan(0, n * Inputs).CopyTo(x.AsSpan(row * Inputs));
            g.Data.AsSpan(0, n * Outputs).CopyTo(dy.AsSpan(row * Outputs));
            s.GradOutput = null;
            row += n;
        }

        Gemm.Multiply(
            new MatrixRef(x, 0, Inputs, true),
            new MatrixRef(dy, 0, Outputs, false),
            _weight.Gradient.Data, 0, Outputs, Inputs, Outputs, rows, accumulate: true, GemmPartition.Columns, context.Options);
        AddBiasGradient(dy, rows);
    }

    private void AddBiasGradient(float[] gradOutput, int rows)
    {
        Span<float> db = _bias.Gradient.Span;
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(db, gradOutput.AsSpan(r * Outputs, Outputs), db);
        }
    }

    private float[] TransposedWeight()
    {
        if (_transposed is null || _transposedVersion != _weight.Version)
        {
            _transposed ??= new float[Inputs * Outputs];
            float[] w = _weight.Value.Data;

            // 32×32 tiles: a row-by-row transpose writes 4 KB apart and costs ~10× more on a 1024-wide layer.
            const int Tile = 32;
            for (int i0 = 0; i0 < Inputs; i0 += Tile)
            {
                int i1 = Math.Min(Inputs, i0 + Tile);
                for (int o0 = 0; o0 < Outputs; o0 += Tile)
                {
                    int o1 = Math.Min(Outputs, o0 + Tile);
                    for (int o = o0; o < o1; o++)
                    {
                        for (int i = i0; i < i1; i++)
                        {
                            _transposed[(o * Inputs) + i] = w[(i * Outputs) + o];
                        }
                    }
                }
            }

            _transposedVersion = _weight.Version;
        }

        return _transposed;
    }

    private static float[] EnsureLength(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new float[length];
        }

        return buffer;
    }
}
