using OpenCvSharp;

namespace Flow.Stages.Video;

/// <summary>Turns frames into model input tensors (the preprocessing stage; safe to run in parallel).</summary>
public static class FrameTensors
{
    [ThreadStatic]
    private static Mat? _boxed;

    /// <summary>
    /// Letterboxes a frame into the format's size (aspect ratio kept, centred, padded with black) and
    /// normalises it into a float tensor rented from a pool (the detector gives it back, see <see cref="TensorFrame.ReleaseTensor"/>).
    /// </summary>
    /// <param name="frame">The frame.</param>
    /// <param name="format">The model's input format.</param>
    /// <returns>The tensor and the transform that maps model boxes back to the frame.</returns>
    public static TensorFrame Letterbox(Frame frame, TensorFormat format)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(format);
        var transform = LetterboxTransform.Compute(frame.Width, frame.Height, format.Width, format.Height);
        var tensor = TensorBufferPool.Rent(format.Length);
        Fill(frame.Image, transform, format, tensor);
        return new TensorFrame(frame, tensor, transform, pooled: true);
    }

    /// <summary>Letterboxes a BGR image into <paramref name="destination"/> as the format says.</summary>
    /// <param name="image">An 8-bit, 3-channel BGR image.</param>
    /// <param name="transform">The letterbox transform for this image and the format's size.</param>
    /// <param name="format">The model's input format.</param>
    /// <param name="destination">At least <see cref="TensorFormat.Length"/> floats.</param>
    /// <exception cref="ArgumentException">The image is not 8-bit 3-channel, or the destination is too small.</exception>
    public static void Fill(Mat image, LetterboxTransform transform, TensorFormat format, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(format);
        if (image.Type() != MatType.CV_8UC3)
        {
            throw new ArgumentException($"expected an 8-bit 3-channel image, got {image.Type()}", nameof(image));
        }

        if (destination.Length < format.Length)
        {
            throw new ArgumentException($"the destination holds {destination.Length} floats; the format needs {format.Length}", nameof(destination));
        }

        int w = format.Width, h = format.Height;
        // One 8-bit letterbox image per thread and size, reused: the resize writes into its middle, the padding stays black.
        var boxed = _boxed;
        if (boxed is null || boxed.Width != w || boxed.Height != h)
        {
            boxed?.Dispose();
            boxed = _boxed = new Mat(h, w, MatType.CV_8UC3);
        }

        boxed.SetTo(Scalar.All(0));
        int scaledWidth = Math.Clamp(transform.ScaledWidth, 1, w);
        int scaledHeight = Math.Clamp(transform.ScaledHeight, 1, h);
        using (var roi = new Mat(boxed, new Rect((int)transform.PadX, (int)transform.PadY, scaledWidth, scaledHeight)))
        {
            Cv2.Resize(image, roi, new Size(scaledWidth, scaledHeight), 0, 0, InterpolationFlags.Linear);
        }

        // A Mat allocated whole is continuous: its bytes can be read in place, without a copy.
        ReadOnlySpan<byte> pixels = boxed.AsSpan<byte>();
        float scale = format.Scale, offset = format.Offset;
        int first = format.Rgb ? 2 : 0, last = format.Rgb ? 0 : 2;
        if (format.Layout == TensorLayout.Nhwc)
        {
            for (int i = 0, p = 0; p < pixels.Length; i += 3, p += 3)
            {
                destination[i] = pixels[p + first] * scale + offset;
                destination[i + 1] = pixels[p + 1] * scale + offset;
                destination[i + 2] = pixels[p + last] * scale + offset;
            }
        }
        else
        {
            int plane = w * h;
            for (int i = 0, p = 0; i < plane; i++, p += 3)
            {
                destination[i] = pixels[p + first] * scale + offset;
                destination[plane + i] = pixels[p + 1] * scale + offset;
                destination[(2 * plane) + i] = pixels[p + last] * scale + offset;
            }
        }
    }
}
