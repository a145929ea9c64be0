using Flow.Stages.Inference;

namespace Flow.Stages.Video;

/// <summary>
/// Detects faces with a BlazeFace ONNX model on batches of letterboxed frames (from
/// <see cref="FrameTensors.Letterbox"/> with <see cref="BlazeFaceOptions.InputFormat"/>): one ONNX
/// Runtime session per replica; anchors decoded and merged by weighted NMS; boxes in frame pixels.
/// </summary>
public sealed class BlazeFaceDetector : TensorFrameDetector
{
    private readonly BlazeFaceOptions _options;
    private int _fineScores, _coarseScores, _fineBoxes, _coarseBoxes;

    /// <summary>Creates the detector; the model is loaded when the stage opens.</summary>
    /// <param name="options">Model file, variant and thresholds; a snapshot is taken.</param>
    /// <param name="intraOpNumThreads">ONNX Runtime threads inside the session; 1 by default (parallelism comes from replicas).</param>
    public BlazeFaceDetector(BlazeFaceOptions options, int intraOpNumThreads = 1)
        : base(new OnnxModelOptions { ModelPath = (options ?? throw new ArgumentNullException(nameof(options))).ModelPath, IntraOpNumThreads = intraOpNumThreads })
    {
        _options = options.Clone();
    }

    /// <inheritdoc />
    protected override void ValidateModel(OnnxTensorInfo input, IReadOnlyList<OnnxTensorInfo> outputs)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(outputs);
        int size = _options.InputSize;
        var dims = input.Dimensions;
        if (dims.Count != 4 || dims[1] != size || dims[2] != size || dims[3] != 3)
        {
            throw new OnnxModelException(ModelPath, $"model '{ModelPath}' input '{input.Name}' has shape {input.FormatShape()}; BlazeFace {_options.Variant} needs [1,{size},{size},3] (NHWC RGB)");
        }

        _fineScores = _coarseScores = _fineBoxes = _coarseBoxes = -1;
        for (int i = 0; i < outputs.Count; i++)
        {
            var d = outputs[i].Dimensions;
            if (d.Count != 3)
            {
                continue;
            }

            switch ((d[1], d[2]))
            {
                case (512, 1): _fineScores = i; break;
                case (384, 1): _coarseScores = i; break;
                case (512, 16): _fineBoxes = i; break;
                case (384, 16): _coarseBoxes = i; break;
            }
        }

        if (_fineScores < 0 || _coarseScores < 0 || _fineBoxes < 0 || _coarseBoxes < 0)
        {
            throw new OnnxModelException(ModelPath, $"model '{ModelPath}' outputs {string.Join(", ", outputs.Select(o => o.FormatShape()))} are not BlazeFace's ([1,512,1], [1,384,1], [1,512,16], [1,384,16])");
        }
    }

    /// <inheritdoc />
    protected override DetectionFrame ReadOutput(TensorFrame item, IReadOnlyList<ReadOnlyMemory<float>> outputs)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(outputs);
        var detections = BlazeFaceDecoder.Decode(
            outputs[_fineScores].Span,
            outputs[_coarseScores].Span,
            outputs[_fineBoxes].Span,
            outputs[_coarseBoxes].Span,
            _options.InputSize,
            _options.ScoreThreshold,
            _options.IouThreshold,
            item.Transform);
        return new DetectionFrame(item.Frame, detections);
    }
}
