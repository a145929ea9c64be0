namespace Flow.Neural.Internal.Layers;

/// <summary>Per-call settings passed down to every layer.</summary>
/// <param name="Options">Kernel options (SIMD, neuron-level degree of parallelism).</param>
/// <param name="Training">Whether this is a training pass (dropout active, activations kept for backward).</param>
/// <param name="DeferWeightGradients">Whether layers may postpone weight gradients to
/// <see cref="Layer.FlushDeferredGradients"/> (pipeline stages: the input gradient goes upstream first,
/// and one large GEMM over all micro-batches replaces one small GEMM per micro-batch).</param>
/// <param name="CacheWeightPanels">Whether weights stay unchanged across many calls until the next
/// optimizer step (micro-batches of a pipeline step), so layers may keep them packed for the GEMM.</param>
/// <param name="SkipInputGradient">Whether the caller does not need dLoss/dInput (the model's first layer
/// during training): layers then compute only their parameter gradients and return their argument.</param>
/// <param name="MatchTrainingArithmetic">Whether an inference pass must round as the training pass does (no
/// Winograd convolution): set when a backward pass recomputes the activations of an inference pass.</param>
internal sealed record LayerContext(ComputeOptions Options, bool Training, bool DeferWeightGradients = false, bool CacheWeightPanels = false, bool SkipInputGradient = false, bool MatchTrainingArithmetic = false);
