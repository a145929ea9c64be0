namespace Flow.Neural.Internal.Layers;

/// <summary>Stable identifiers of layer types in model files; never renumber.</summary>
internal enum LayerKind : byte
{
    Dense = 1,
    Conv2D = 2,
    Conv1D = 3,
    MaxPool2D = 4,
    Flatten = 5,
    Dropout = 6,
    Relu = 7,
    Sigmoid = 8,
    Tanh = 9,
    Gelu = 10,
}
