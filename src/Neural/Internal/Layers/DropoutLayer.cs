namespace Flow.Neural.Internal.Layers;

/// <summary>Inverted dropout: in training, zeroes each element with probability p and scales the rest by 1/(1−p).</summary>
internal sealed class DropoutLayer : Layer
{
    private readonly Random _random;

    internal DropoutLayer(float rate, int seed)
    {
        Rate = rate;
        Seed = seed;
        _random = new Random(seed);
    }

    internal float Rate { get; }

    internal int Seed { get; }

    /// <summary>When set, the next forward reuses the previous mask (gradient checks).</summary>
    internal bool FreezeMask { get; set; }

    public override string Description => $"Dropout({Rate})";

    internal override LayerKind Kind => LayerKind.Dropout;

    internal override int[] Config => [BitConverter.SingleToInt32Bits(Rate), Seed];

    internal override Tensor Forward(Tensor input, LayerState state, LayerContext context)
    {
        state.Input = input;
        if (!context.Training || Rate == 0f)
        {
            state.Scratch = null;
            return input;
        }

        bool reuse = FreezeMask && state.Scratch is not null && state.Scratch.Length == input.Length;
        float[] mask = LayerState.Ensure(ref state.Scratch, input.Length);
        if (!reuse)
        {
            float keep = 1f / (1f - Rate);
            lock (_random)
            {
                for (int i = 0; i < mask.Length; i++)
                {
                    mask[i] = _random.NextSingle() < Rate ? 0f : keep;
                }
            }
        }

        Tensor output = LayerState.Ensure(ref state.Output, [.. input.Shape]);
        System.Numerics.Tensors.TensorPrimitives.Multiply(input.Span, mask, output.Span);
        return output;
    }

    internal override Tensor Backward(Tensor gradOutput, LayerState state, LayerContext context)
    {
        if (state.Scratch is null)
        {
            return gradOutput;
        }

        Tensor gradInput = LayerState.Ensure(ref state.GradInput, [.. gradOutput.Shape]);
        System.Numerics.Tensors.TensorPrimitives.Multiply(gradOutput.Span, state.Scratch, gradInput.Span);
        return gradInput;
    }
}
