using Flow.Stages.Inference;

namespace Flow.Stages.Video;

/// <summary>
/// The base of ONNX detectors that take letterboxed <see cref="TensorFrame"/>s: each frame's tensor is
/// copied into the model's input batch, and its pooled buffer goes back to the pool once the batch has run.
/// A subclass checks the model's shapes and decodes its outputs into a <see cref="DetectionFrame"/>.
/// </summary>
public abstract class TensorFrameDetector : OnnxBatchStage<TensorFrame, DetectionFrame>
{
    /// <summary>Initializes the detector with the options of its ONNX Runtime session.</summary>
    /// <param name="options">The model file and session settings.</param>
    protected TensorFrameDetector(OnnxModelOptions options)
        : base(options)
    {
    }

    /// <inheritdoc />
    protected sealed override void WriteInput(TensorFrame item, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(item);
        item.Tensor.AsSpan().CopyTo(destination);
    }

    /// <inheritdoc />
    protected sealed override void ReleaseInput(TensorFrame item)
    {
        ArgumentNullException.ThrowIfNull(item);
        item.ReleaseTensor();
    }
}
