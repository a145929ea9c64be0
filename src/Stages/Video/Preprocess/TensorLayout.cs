namespace Flow.Stages.Video;

/// <summary>How pixels are laid out in a model's input tensor.</summary>
public enum TensorLayout
{
    /// <summary>Height, width, channels (TensorFlow / TFLite models such as BlazeFace).</summary>
    Nhwc,

    /// <summary>Channels, height, width (PyTorch exports).</summary>
    Nchw,
}
