namespace Flow.Neural.Internal.Layers;

/// <summary>Reshapes [batch, d1, d2, …] to [batch, d1·d2·…] without copying.</summary>
internal sealed class FlattenLayer : Layer
{
    public override string Description => "Flatten";

    internal override LayerKind Kind => LayerKind.Flatten;

    internal override int[] Config => [];

    internal override Tensor Forward(Tensor input, LayerState state, LayerContext context)
    {
        state.Input = input;
        return input.Reshape(input.Dim(0), input.Length / input.Dim(0));
    }

    internal override Tensor Backward(Tensor gradOutput, LayerState state, LayerContext context)
    {
        Tensor input = state.Input ?? throw new InvalidOperationException("Flatten: backward called before forward");
        return gradOutput.Reshape([.. input.Shape]);
    }
}
