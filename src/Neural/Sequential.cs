using Flow.Neural.Internal.Layers;

namespace Flow.Neural;

/// <summary>
/// A feed-forward model: layers applied in order. Forward and backward passes reuse their buffers,
/// so a training loop with a fixed batch size does not allocate per step.
/// </summary>
/// <remarks>An instance is not thread-safe: use one per thread, or <see cref="Clone"/> replicas.</remarks>
public sealed class Sequential
{
    private readonly Layer[] _layers;
    private readonly LayerState[] _states;
    private readonly int _firstTrainable;
    private ComputeOptions _options = new();

    /// <summary>Creates a model from layers applied in the given order.</summary>
    /// <param name="layers">The layers; at least one.</param>
    /// <exception cref="ArgumentException">No layers were given, or one is null.</exception>
    public Sequential(params Layer[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0 || Array.Exists(layers, l => l is null))
        {
            throw new ArgumentException("a model needs at least one layer and no null layers", nameof(layers));
        }

        _layers = (Layer[])layers.Clone();
        _states = CreateStates(0, _layers.Length);
        Parameters = [.. _layers.SelectMany(l => l.Parameters)];
        _firstTrainable = Array.FindIndex(_layers, l => l.Parameters.Count > 0);
        if (_firstTrainable < 0)
        {
            _firstTrainable = _layers.Length;
        }
    }

    /// <summary>Gets the layers in order.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>Gets the index of the first layer with parameters (the one whose input gradient training skips), or the layer count if none has any.</summary>
    internal int FirstTrainable => _firstTrainable;

    /// <summary>Gets every trainable parameter, layer by layer.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Gets or sets how kernels run (SIMD, neuron-level degree of parallelism).</summary>
    /// <value>The default is SIMD on, one core.</value>
    public ComputeOptions Options
    {
        get => _options;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _options = value;
        }
    }

    /// <summary>Runs the model forward.</summary>
    /// <param name="input">A batch; its first dimension is the batch size. It must stay unchanged until <see cref="Backward"/>.</param>
    /// <param name="training">Whether this is a training pass (dropout active).</param>
    /// <returns>The output; a buffer owned by the model, overwritten by the next forward pass.</returns>
    public Tensor Forward(Tensor input, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        return ForwardRange(input, _states, 0, _layers.Length, new LayerContext(_options, training));
    }

    /// <summary>Back-propagates the gradient of the loss with respect to the last output, adding to every parameter's gradient.</summary>
    /// <param name="gradOutput">dLoss/dOutput, shaped like the last forward output.</param>
    /// <returns>The gradient with respect to the input; a buffer owned by the model.</returns>
    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        return BackwardRange(gradOutput, _states, 0, _layers.Length, new LayerContext(_options, true));
    }

    /// <summary>Sets every parameter gradient to zero.</summary>
    public void ZeroGradients()
    {
        foreach (Parameter p in Parameters)
        {
            Array.Clear(p.Gradient.Data);
        }
    }

    /// <summary>Creates an independent copy with the same layers and parameter values (gradients zero).</summary>
    /// <returns>The copy.</returns>
    public Sequential Clone()
    {
        var copy = new Sequential([.. _layers.Select(l => Neural.Layers.FromConfig(l.Kind, l.Config))]) { Options = _options.Clone() };
        copy.CopyParametersFrom(this);
        return copy;
    }

    /// <summary>Copies parameter values from a model with the same architecture.</summary>
    /// <param name="source">The model to copy from.</param>
    /// <exception cref="ArgumentException">The architectures differ.</exception>
    public void CopyParametersFrom(Sequential source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Parameters.Count != Parameters.Count)
        {
            throw new ArgumentException("models have different architectures", nameof(source));
        }

        for (int i = 0; i < Parameters.Count; i++)
        {
            if (source.Parameters[i].Value.Length != Parameters[i].Value.Length)
            {
                throw new ArgumentException($"parameter {i} has {source.Parameters[i].Value.Length} values, expected {Parameters[i].Value.Length}", nameof(source));
            }

            source.Parameters[i].Value.Span.CopyTo(Parameters[i].Value.Span);
            Parameters[i].Version++;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(" → ", _layers.Select(l => l.Description));

    internal LayerState[] CreateStates(int start, int end)
    {
        var states = new LayerState[end - start];
        for (int i = 0; i < states.Length; i++)
        {
            states[i] = _layers[start + i].CreateState();
        }

        return states;
    }

    /// <summary>Runs layers [start, end) with the given states (state i belongs to layer start + i).</summary>
    internal Tensor ForwardRange(Tensor input, LayerState[] states, int start, int end, LayerContext context)
    {
        Tensor x = input;
        for (int i = start; i < end; i++)
        {
            if (!context.Training && i + 2 < end && _layers[i] is Conv2DLayer first && _layers[i + 1] is ActivationLayer { Kind: LayerKind.Relu }
                && _layers[i + 2] is MaxPool2DLayer pool && first.TryForwardPooled(x, states[i - start], states[i + 2 - start], pool, context) is { } pooled)
            {
                // Inference: convolution, ReLU and a 2×2 max-pool in one pass that writes only the pooled
                // output (the ReLU's and pool's states keep nothing; a backward pass recomputes them).
                states[i + 1 - start].Input = null;
                x = pooled;
                i += 2;
                continue;
            }

            if (!context.Training && i + 1 < end && _layers[i] is Conv2DLayer conv && _layers[i + 1] is ActivationLayer { Kind: LayerKind.Relu })
            {
                // Inference: the ReLU runs inside the convolution's tiles. The ReLU's state gets the
                // (rectified) output as its input: its backward mask x > 0 is the same for max(x, 0).
                x = conv.Forward(x, states[i - start], context, fuseRelu: true);
                states[i + 1 - start].Input = x;
                i++;
                continue;
            }

            x = _layers[i].Forward(x, states[i - start], context);
        }

        return x;
    }

    internal Tensor BackwardRange(Tensor gradOutput, LayerState[] states, int start, int end, LayerContext context)
    {
        // After an inference pass that skipped activations or rounded differently from training (fused
        // convolution + ReLU + pool, Winograd convolutions), the activations from the first such layer on
        // are recomputed the training pass's way first.
        int recomputeFrom = Array.FindIndex(states, 0, end - start, s => s.RecomputeBeforeBackward);
        if (recomputeFrom >= 0)
        {
            ForwardRange(states[recomputeFrom].Input!, states[recomputeFrom..], start + recomputeFrom, end, new LayerContext(context.Options, Training: false, MatchTrainingArithmetic: true));
        }

        Tensor g = gradOutput;
        if (!context.SkipInputGradient)
        {
            for (int i = end - 1; i >= start; i--)
            {
                g = _layers[i].Backward(g, states[i - start], context);
            }

            return g;
        }

        // Training needs no gradient below the first layer with parameters: that layer skips its
        // input gradient and the parameter-free layers before it (e.g. Flatten) are not visited.
        LayerContext full = context with { SkipInputGradient = false };
        for (int i = end - 1; i >= Math.Max(start, _firstTrainable); i--)
        {
            g = _layers[i].Backward(g, states[i - start], i == _firstTrainable ? context : full);
        }

        return g;
    }

    /// <summary>Backward pass for training: parameter gradients only, without dLoss/dInput of the first layer.</summary>
    internal void BackwardParameters(Tensor gradOutput) =>
        BackwardRange(gradOutput, _states, 0, _layers.Length, new LayerContext(_options, true, SkipInputGradient: true));
}
