namespace Flow.Stages.Video;

/// <summary>Settings of a <see cref="BlazeFaceDetector"/>.</summary>
public sealed class BlazeFaceOptions
{
    private string _modelPath = string.Empty;
    private float _scoreThreshold = 0.5f;
    private float _iouThreshold = 0.3f;

    /// <summary>Which model; it fixes the input size (128 or 256) and anchors.</summary>
    /// <value>The default is <see cref="BlazeFaceVariant.Front128"/>.</value>
    public BlazeFaceVariant Variant { get; set; } = BlazeFaceVariant.Front128;

    /// <summary>The <c>.onnx</c> file of the chosen variant.</summary>
    /// <value>The default is the empty string, which fails when the stage opens.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public string ModelPath
    {
        get => _modelPath;
        set
        {
            ArgumentNullException.ThrowIfNull(value, nameof(ModelPath));
            _modelPath = value;
        }
    }

    /// <summary>The least sigmoid score for an anchor to count as a face.</summary>
    /// <value>The default is 0.5 (MediaPipe uses 0.5 for the front model).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1).</exception>
    public float ScoreThreshold
    {
        get => _scoreThreshold;
        set
        {
            if (!(value >= 0 && value < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(ScoreThreshold), value, "the score threshold must be in [0, 1)");
            }

            _scoreThreshold = value;
        }
    }

    /// <summary>Overlap above which anchor boxes are merged by weighted NMS.</summary>
    /// <value>The default is 0.3 (MediaPipe's value).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside (0, 1].</exception>
    public float IouThreshold
    {
        get => _iouThreshold;
        set
        {
            if (!(value > 0 && value <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(IouThreshold), value, "the IoU threshold must be in (0, 1]");
            }

            _iouThreshold = value;
        }
    }

    /// <summary>The model's input size in pixels (square): 128 or 256.</summary>
    public int InputSize => Variant == BlazeFaceVariant.Back256 ? 256 : 128;

    /// <summary>The model's input format: NHWC, RGB, pixel values scaled to [-1, 1].</summary>
    public TensorFormat InputFormat => new(InputSize, InputSize, TensorLayout.Nhwc, Rgb: true, Scale: 2f / 255f, Offset: -1f);

    /// <summary>Returns a copy, so later changes to this object do not reach a stage.</summary>
    /// <returns>A new options object with the same values.</returns>
    public BlazeFaceOptions Clone() => (BlazeFaceOptions)MemberwiseClone();
}
