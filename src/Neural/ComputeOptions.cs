namespace Flow.Neural;

/// <summary>
/// How a model's kernels execute: SIMD or the scalar reference, and how many cores share one layer's neurons.
/// </summary>
public sealed class ComputeOptions
{
    private int _degreeOfParallelism = 1;

    /// <summary>
    /// Gets or sets a value indicating whether kernels use SIMD (Vector512/Vector256 with FMA, TensorPrimitives).
    /// When <see langword="false"/>, the scalar reference kernels run instead.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool UseSimd { get; set; } = true;

    /// <summary>
    /// Gets or sets how many cores a single layer's output neurons (GEMM column panels, convolution
    /// output channels) are partitioned across. Results are bit-identical for every value.
    /// </summary>
    /// <value>The default is 1 (one core).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int DegreeOfParallelism
    {
        get => _degreeOfParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _degreeOfParallelism = value;
        }
    }

    /// <summary>Creates a copy of these options.</summary>
    /// <returns>A new options object with the same values.</returns>
    public ComputeOptions Clone() => new() { UseSimd = UseSimd, DegreeOfParallelism = DegreeOfParallelism };
}
