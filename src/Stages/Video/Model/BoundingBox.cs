namespace Flow.Stages.Video;

/// <summary>An axis-aligned box in pixel coordinates, corners (<see cref="X1"/>, <see cref="Y1"/>) to (<see cref="X2"/>, <see cref="Y2"/>).</summary>
/// <param name="X1">Left edge.</param>
/// <param name="Y1">Top edge.</param>
/// <param name="X2">Right edge.</param>
/// <param name="Y2">Bottom edge.</param>
public readonly record struct BoundingBox(float X1, float Y1, float X2, float Y2)
{
    /// <summary>The width; zero for an inverted box.</summary>
    public float Width => MathF.Max(0, X2 - X1);

    /// <summary>The height; zero for an inverted box.</summary>
    public float Height => MathF.Max(0, Y2 - Y1);

    /// <summary>The area; zero for an inverted box.</summary>
    public float Area => Width * Height;

    /// <summary>Creates a box from its left, top, width and height.</summary>
    /// <param name="x">Left edge.</param>
    /// <param name="y">Top edge.</param>
    /// <param name="width">Width.</param>
    /// <param name="height">Height.</param>
    /// <returns>The box.</returns>
    public static BoundingBox FromXywh(float x, float y, float width, float height) => new(x, y, x + width, y + height);

    /// <summary>Intersection over union with another box: 0 when they do not overlap, 1 when equal.</summary>
    /// <param name="other">The other box.</param>
    /// <returns>The IoU in [0, 1].</returns>
    public float IntersectionOverUnion(BoundingBox other)
    {
        float w = MathF.Min(X2, other.X2) - MathF.Max(X1, other.X1);
        float h = MathF.Min(Y2, other.Y2) - MathF.Max(Y1, other.Y1);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }

        float intersection = w * h;
        float union = Area + other.Area - intersection;
        return union <= 0 ? 0 : intersection / union;
    }

    /// <summary>The box clipped to an image of the given size.</summary>
    /// <param name="width">Image width.</param>
    /// <param name="height">Image height.</param>
    /// <returns>The clipped box.</returns>
    public BoundingBox ClipTo(int width, int height) =>
        new(Math.Clamp(X1, 0, width), Math.Clamp(Y1, 0, height), Math.Clamp(X2, 0, width), Math.Clamp(Y2, 0, height));
}
