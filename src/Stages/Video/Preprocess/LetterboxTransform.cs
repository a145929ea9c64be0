namespace Flow.Stages.Video;

/// <summary>
/// How an image of one size is fitted into a model input of another size without distortion: scaled
/// by <see cref="Scale"/> and centred with <see cref="PadX"/> / <see cref="PadY"/> pixels of padding.
/// Boxes found in the model's input map back to the image with <see cref="ToSource"/>.
/// </summary>
/// <param name="Scale">Model pixels per source pixel.</param>
/// <param name="PadX">Padding on the left of the scaled image, in model pixels.</param>
/// <param name="PadY">Padding above the scaled image, in model pixels.</param>
/// <param name="SourceWidth">The source image's width.</param>
/// <param name="SourceHeight">The source image's height.</param>
/// <param name="TargetWidth">The model input's width.</param>
/// <param name="TargetHeight">The model input's height.</param>
public readonly record struct LetterboxTransform(float Scale, float PadX, float PadY, int SourceWidth, int SourceHeight, int TargetWidth, int TargetHeight)
{
    /// <summary>The width of the scaled image inside the target (rounded to whole pixels).</summary>
    public int ScaledWidth => (int)MathF.Round(SourceWidth * Scale);

    /// <summary>The height of the scaled image inside the target (rounded to whole pixels).</summary>
    public int ScaledHeight => (int)MathF.Round(SourceHeight * Scale);

    /// <summary>Computes the transform that fits a source image into a target, keeping its aspect ratio.</summary>
    /// <param name="sourceWidth">Source width, positive.</param>
    /// <param name="sourceHeight">Source height, positive.</param>
    /// <param name="targetWidth">Target width, positive.</param>
    /// <param name="targetHeight">Target height, positive.</param>
    /// <returns>The transform.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is zero or negative.</exception>
    public static LetterboxTransform Compute(int sourceWidth, int sourceHeight, int targetWidth, int targetHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetHeight);
        float scale = MathF.Min((float)targetWidth / sourceWidth, (float)targetHeight / sourceHeight);
        int scaledWidth = (int)MathF.Round(sourceWidth * scale);
        int scaledHeight = (int)MathF.Round(sourceHeight * scale);
        return new LetterboxTransform(scale, (targetWidth - scaledWidth) / 2, (targetHeight - scaledHeight) / 2, sourceWidth, sourceHeight, targetWidth, targetHeight);
    }

    /// <summary>Maps a box from source pixels into model-input pixels.</summary>
    /// <param name="box">A box in the source image.</param>
    /// <returns>The box in the model input.</returns>
    public BoundingBox ToTarget(BoundingBox box) =>
        new(box.X1 * Scale + PadX, box.Y1 * Scale + PadY, box.X2 * Scale + PadX, box.Y2 * Scale + PadY);

    /// <summary>Maps a box from model-input pixels back to source pixels, clipped to the source image.</summary>
    /// <param name="box">A box in the model input.</param>
    /// <returns>The box in the source image.</returns>
    public BoundingBox ToSource(BoundingBox box) =>
        new BoundingBox((box.X1 - PadX) / Scale, (box.Y1 - PadY) / Scale, (box.X2 - PadX) / Scale, (box.Y2 - PadY) / Scale).ClipTo(SourceWidth, SourceHeight);
}
