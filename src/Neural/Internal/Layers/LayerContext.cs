namespace Flow.Neural.Internal.Layers;

/// <summary>Per-call settings passed down to every layer.</summary>
/// <param name="Options">Kernel options (SIMD, neuron-level degree of parallelism).</param>
/// <param name="Training">Whether this is a training pass (dropout active, activations kept for backward).</param>
internal sealed record LayerContext(ComputeOptions Options, bool Training);
