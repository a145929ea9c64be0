namespace Flow.Neural.Internal.Layers;

/// <summary>1-D convolution over [batch, channels, length], run as a 1×k 2-D convolution.</summary>
internal sealed class Conv1DLayer : Layer
{
    private readonly Conv2DLayer _inner;

    internal Conv1DLayer(int inChannels, int outChannels, int kernel, int stride, int padding, WeightInit init, int seed)
    {
        _inner = new Conv2DLayer(inChannels, outChannels, 1, kernel, 1, stride, 0, padding, init, seed);
    }

    internal Conv2DLayer Inner => _inner;

    public override string Description => $"Conv1D({_inner.InChannels}→{_inner.OutChannels}, k {_inner.KernelW}, stride {_inner.StrideW}, pad {_inner.PadW})";

    public override IReadOnlyList<Parameter> Parameters => _inner.Parameters;

    internal override LayerKind Kind => LayerKind.Conv1D;

    internal override int[] Config => [_inner.InChannels, _inner.OutChannels, _inner.KernelW, _inner.StrideW, _inner.PadW];

    internal override Tensor Forward(Tensor input, LayerState state, LayerContext context)
    {
        if (input.Rank != 3)
        {
            throw new ArgumentException($"{Description} expects input [batch, channels, length], got {input}", nameof(input));
        }

        Tensor output = _inner.Forward(input.Reshape(input.Dim(0), input.Dim(1), 1, input.Dim(2)), state, context);
        return output.Reshape(output.Dim(0), output.Dim(1), output.Dim(3));
    }

    internal override Tensor Backward(Tensor gradOutput, LayerState state, LayerContext context)
    {
        Tensor gradInput = _inner.Backward(gradOutput.Reshape(gradOutput.Dim(0), gradOutput.Dim(1), 1, gradOutput.Dim(2)), state, context);
        return gradInput.Reshape(gradInput.Dim(0), gradInput.Dim(1), gradInput.Dim(3));
    }
}
