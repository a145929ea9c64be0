namespace Flow.Stages.Video;

/// <summary>
/// What a model's image input looks like: its size, layout and channel order, and how 8-bit pixel
/// values <c>p</c> become floats: <c>p * <see cref="Scale"/> + <see cref="Offset"/></c>.
/// </summary>
/// <param name="Width">Input width in pixels.</param>
/// <param name="Height">Input height in pixels.</param>
/// <param name="Layout">NHWC or NCHW.</param>
/// <param name="Rgb">Whether channels are RGB (true) or BGR, OpenCV's order (false).</param>
/// <param name="Scale">Multiplier of the 0-255 pixel value.</param>
/// <param name="Offset">Added after scaling.</param>
public sealed record TensorFormat(int Width, int Height, TensorLayout Layout, bool Rgb, float Scale, float Offset)
{
    /// <summary>How many floats one image occupies.</summary>
    public int Length => Width * Height * 3;
}
