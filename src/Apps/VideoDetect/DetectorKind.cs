namespace Flow.Apps.VideoDetect;

/// <summary>Which detector a <see cref="VideoDetectJob"/> runs.</summary>
public enum DetectorKind
{
    /// <summary>BlazeFace front-camera model, 128×128 (ONNX Runtime): faces that fill a good part of the frame.</summary>
    BlazeFaceFront,

    /// <summary>BlazeFace back-camera model, 256×256 (ONNX Runtime): smaller faces, about 4× the compute.</summary>
    BlazeFaceBack,

    /// <summary>OpenCV's built-in HOG people detector.</summary>
    Hog,

    /// <summary>OpenCV Haar cascade for frontal faces (Debian opencv-data).</summary>
    Haar,

    /// <summary>A user-supplied ONNX detector (<see cref="VideoDetectOptions.ModelPath"/>); see <c>OnnxBoxDetector</c> for what it must look like.</summary>
    Onnx,
}
