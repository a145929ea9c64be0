namespace Flow.Stages.Video;

/// <summary>
/// A frame letterboxed and normalised into a model's input tensor. A tensor made by
/// <see cref="FrameTensors.Letterbox"/> is rented from a pool; the detector gives it back with
/// <see cref="ReleaseTensor"/> once the frame's detections are known, so a stream of frames does not
/// allocate (and collect) a large array per frame.
/// </summary>
public sealed class TensorFrame
{
    private readonly bool _pooled;
    private float[]? _tensor;

    /// <summary>Creates a tensor frame over a caller-owned array (never pooled).</summary>
    /// <param name="frame">The original frame.</param>
    /// <param name="tensor">The input values for one image, laid out as the format says.</param>
    /// <param name="transform">How the frame was fitted into the input (to map boxes back).</param>
    /// <exception cref="ArgumentNullException"><paramref name="frame"/> or <paramref name="tensor"/> is <see langword="null"/>.</exception>
    public TensorFrame(Frame frame, float[] tensor, LetterboxTransform transform)
        : this(frame, tensor, transform, pooled: false)
    {
    }

    internal TensorFrame(Frame frame, float[] tensor, LetterboxTransform transform, bool pooled)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(tensor);
        Frame = frame;
        _tensor = tensor;
        Transform = transform;
        _pooled = pooled;
    }

    /// <summary>The original frame.</summary>
    public Frame Frame { get; }

    /// <summary>The input values for one image, laid out as the format says.</summary>
    /// <exception cref="ObjectDisposedException">The tensor was released (a detector has already used it).</exception>
    public float[] Tensor => _tensor ?? throw new ObjectDisposedException(nameof(TensorFrame), $"the tensor of frame {Frame.Index} was released after detection");

    /// <summary>How the frame was fitted into the input (to map boxes back).</summary>
    public LetterboxTransform Transform { get; }

    /// <summary>Whether <see cref="ReleaseTensor"/> has been called.</summary>
    public bool IsReleased => Volatile.Read(ref _tensor) is null;

    /// <summary>
    /// Gives a pooled tensor back to the pool (a caller-owned one is just dropped); <see cref="Tensor"/>
    /// throws afterwards. Safe to call more than once.
    /// </summary>
    public void ReleaseTensor()
    {
        var tensor = Interlocked.Exchange(ref _tensor, null);
        if (tensor is not null && _pooled)
        {
            TensorBufferPool.Return(tensor);
        }
    }
}
