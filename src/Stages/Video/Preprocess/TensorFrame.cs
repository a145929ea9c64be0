namespace Flow.Stages.Video;

/// <summary>A frame letterboxed and normalised into a model's input tensor.</summary>
/// <param name="Frame">The original frame.</param>
/// <param name="Tensor">The input values for one image, laid out as the format says.</param>
/// <param name="Transform">How the frame was fitted into the input (to map boxes back).</param>
public sealed record TensorFrame(Frame Frame, float[] Tensor, LetterboxTransform Transform);
