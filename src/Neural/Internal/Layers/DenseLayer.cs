using System.Numerics.Tensors;
using Flow.Neural.Internal.Kernels;

namespace Flow.Neural.Internal.Layers;

/// <summary>y = x·W + b with W stored [inputs, outputs], so output neurons are GEMM columns.</summary>
internal sealed class DenseLayer : Layer
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;

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

        // dW += xᵀ·dy (columns of dW are the output neurons, split across cores).
        Gemm.Multiply(
            new MatrixRef(input.Data, 0, Inputs, true),
            new MatrixRef(gradOutput.Data, 0, Outputs, false),
            _weight.Gradient.Data, 0, Outputs, Inputs, Outputs, batch, accumulate: true, GemmPartition.Columns, context.Options);
        Span<float> db = _bias.Gradient.Span;
        for (int r = 0; r < batch; r++)
        {
            TensorPrimitives.Add(db, gradOutput.Data.AsSpan(r * Outputs, Outputs), db);
        }

        // dx = dy·Wᵀ.
        Tensor gradInput = LayerState.Ensure(ref state.GradInput, batch, Inputs);
        Gemm.Multiply(
            new MatrixRef(gradOutput.Data, 0, Outputs, false),
            new MatrixRef(_weight.Value.Data, 0, Outputs, true),
            gradInput.Data, 0, Inputs, batch, Inputs, Outputs, accumulate: false, GemmPartition.Columns, context.Options);
        return gradInput;
    }
}
