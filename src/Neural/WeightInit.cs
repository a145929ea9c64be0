namespace Flow.Neural;

/// <summary>How a layer's weights are initialised from its seed.</summary>
public enum WeightInit
{
    /// <summary>He (Kaiming) normal: N(0, 2 / fan-in); suits ReLU and GELU networks.</summary>
    He,

    /// <summary>Xavier (Glorot) uniform: U(±√(6 / (fan-in + fan-out))); suits tanh and sigmoid networks.</summary>
    Xavier,
}
