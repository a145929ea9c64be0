namespace Flow.Neural;

/// <summary>
/// A dense, contiguous, row-major float32 tensor: a shape and a flat storage array.
/// </summary>
/// <remarks>
/// The storage is exposed as an array so that kernels can use spans and SIMD without copies.
/// A tensor never reallocates on its own; layers keep their tensors between calls and reallocate
/// only when the batch size changes, so the training loop does not allocate per step.
/// </remarks>
public sealed class Tensor
{
    private readonly int[] _shape;

    /// <summary>Creates a zero-filled tensor of the given shape.</summary>
    /// <param name="shape">The size of each dimension; every size must be positive.</param>
    /// <exception cref="ArgumentException">The shape is empty or has a dimension that is not positive.</exception>
    public Tensor(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        _shape = (int[])shape.Clone();
        Data = new float[CheckedLength(_shape)];
    }

    /// <summary>Wraps existing storage in a tensor of the given shape (no copy).</summary>
    /// <param name="data">The storage; its length must equal the product of the shape.</param>
    /// <param name="shape">The size of each dimension.</param>
    /// <exception cref="ArgumentException">The storage length does not match the shape.</exception>
    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        _shape = (int[])shape.Clone();
        int length = CheckedLength(_shape);
        if (data.Length != length)
        {
            throw new ArgumentException($"storage has {data.Length} elements but shape [{string.Join(", ", shape)}] needs {length}", nameof(data));
        }

        Data = data;
    }

    /// <summary>Gets the flat, row-major storage.</summary>
    public float[] Data { get; }

    /// <summary>Gets the number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Gets the total number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>Gets the shape (the size of each dimension).</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>Gets the size of one dimension.</summary>
    /// <param name="dimension">The dimension index, from 0 to <see cref="Rank"/> − 1.</param>
    /// <returns>The size of that dimension.</returns>
    public int Dim(int dimension) => _shape[dimension];

    /// <summary>Gets the storage as a span.</summary>
    public Span<float> Span => Data;

    /// <summary>Gets or sets an element of a rank-2 tensor.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="column">The column index.</param>
    public float this[int row, int column]
    {
        get => Data[(row * _shape[1]) + column];
        set => Data[(row * _shape[1]) + column] = value;
    }

    /// <summary>Creates a deep copy of this tensor.</summary>
    /// <returns>A new tensor with the same shape and a copy of the data.</returns>
    public Tensor Clone() => new((float[])Data.Clone(), _shape);

    /// <summary>Returns a tensor that shares this storage under another shape with the same length.</summary>
    /// <param name="shape">The new shape.</param>
    /// <returns>A view over the same storage.</returns>
    /// <exception cref="ArgumentException">The new shape has a different number of elements.</exception>
    public Tensor Reshape(params int[] shape) => new(Data, shape);

    /// <summary>Tells whether this tensor has exactly the given shape.</summary>
    /// <param name="shape">The shape to compare with.</param>
    /// <returns><see langword="true"/> when every dimension matches.</returns>
    public bool HasShape(ReadOnlySpan<int> shape) => shape.SequenceEqual(_shape);

    /// <inheritdoc/>
    public override string ToString() => $"Tensor[{string.Join(", ", _shape)}]";

    private static int CheckedLength(int[] shape)
    {
        if (shape.Length == 0)
        {
            throw new ArgumentException("a tensor needs at least one dimension", nameof(shape));
        }

        long length = 1;
        foreach (int d in shape)
        {
            if (d <= 0)
            {
                throw new ArgumentException($"every dimension must be positive, got [{string.Join(", ", shape)}]", nameof(shape));
            }

            length *= d;
            if (length > Array.MaxLength)
            {
                throw new ArgumentException($"shape [{string.Join(", ", shape)}] is too large", nameof(shape));
            }
        }

        return (int)length;
    }
}
