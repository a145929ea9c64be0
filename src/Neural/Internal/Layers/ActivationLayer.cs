using Flow.Neural.Internal.Kernels;

namespace Flow.Neural.Internal.Layers;

/// <summary>An element-wise activation: ReLU, sigmoid, tanh or GELU.</summary>
internal sealed class ActivationLayer : Layer
{
    internal ActivationLayer(LayerKind kind)
    {
        Kind = kind;
    }

    public override string Description => Kind.ToString();

    internal override LayerKind Kind { get; }

    internal override int[] Config => [];

    internal override Tensor Forward(Tensor input, LayerState state, LayerContext context)
    {
        Tensor output = LayerState.Ensure(ref state.Output, [.. input.Shape]);
        bool simd = context.Options.UseSimd;
        switch (Kind)
        {
            case LayerKind.Relu:
                ActivationKernels.Relu(input.Span, output.Span, simd);
                break;
            case LayerKind.Sigmoid:
                ActivationKernels.Sigmoid(input.Span, output.Span, simd);
                break;
            case LayerKind.Tanh:
                ActivationKernels.Tanh(input.Span, output.Span, simd);
                break;
            default:
                ActivationKernels.Gelu(input.Span, output.Span, LayerState.Ensure(ref state.Scratch, input.Length), simd);
                break;
        }

        state.Input = input;
        return output;
    }

    internal override Tensor Backward(Tensor gradOutput, LayerState state, LayerContext context)
    {
        Tensor input = state.Input ?? throw new InvalidOperationException($"{Description}: backward called before forward");
        Tensor gradInput = LayerState.Ensure(ref state.GradInput, [.. input.Shape]);
        Tensor output = state.Output!;
        switch (Kind)
        {
            case LayerKind.Relu:
                ActivationKernels.ReluBackward(input.Span, gradOutput.Span, gradInput.Span);
                break;
            case LayerKind.Sigmoid:
                ActivationKernels.SigmoidBackward(output.Span, gradOutput.Span, gradInput.Span);
                break;
            case LayerKind.Tanh:
                ActivationKernels.TanhBackward(output.Span, gradOutput.Span, gradInput.Span);
                break;
            default:
                ActivationKernels.GeluBackward(input.Span, state.Scratch, gradOutput.Span, gradInput.Span);
                break;
        }

        return gradInput;
    }
}
