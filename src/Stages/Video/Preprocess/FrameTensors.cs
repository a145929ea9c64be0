using OpenCvSharp;

namespace Flow.Stages.Video;

/// <summary>Turns frames into model input tensors (the preprocessing stage; safe to run in parallel).</summary>
public static class FrameTensors
{
    [ThreadStatic]
    private static Mat? _boxed;

    // A full-size BGR image per thread into which only the rows the resize reads are converted from a YUV picture.
    [ThreadStatic]
    private static Mat? _rows;

    // The row runs for the last (width, height, scaled width, scaled height) this thread letterboxed: the same for every frame of a video.
    [ThreadStatic]
    private static List<(int First, int Count)>? _runs;

    [ThreadStatic]
    private static (int Width, int Height, int ScaledWidth, int ScaledHeight) _runsFor;

    /// <summary>
    /// Letterboxes a frame into the format's size (aspect ratio kept, centred, padded with black) and
    /// normalises it into a float tensor rented from a pool (the detector gives it back, see <see cref="TensorFrame.ReleaseTensor"/>).
    /// A frame from <see cref="VideoDecoder.FFmpeg"/> whose image has not been read is letterboxed from its YUV picture,
    /// converting only the rows the resize reads; the tensor is the same as from its image.
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
        if (frame.Picture is { } picture)
        {
            Fill(picture, transform, format, tensor); // FFmpeg's decoder: only the rows the resize reads become BGR
        }
        else
        {
            Fill(frame.Image, transform, format, tensor);
        }
        return new TensorFrame(frame, tensor, transform, pooled: true);
    }

    /// <summary>
    /// Letterboxes a YUV picture as <see cref="Fill(Mat, LetterboxTransform, TensorFormat, Span{float})"/> does its BGR
    /// conversion: only the source rows that OpenCV's linear resize reads are converted (for 768×576 into 128×96, a third
    /// of them), into a per-thread image, with the bytes the whole conversion would give them; the tensor is the same.
    /// </summary>
    internal static void Fill(Internal.YuvPicture picture, LetterboxTransform transform, TensorFormat format, Span<float> destination)
    {
        var rows = _rows;
        if (rows is null || rows.Width != picture.Width || rows.Height != picture.Height)
        {
            rows?.Dispose();
            rows = _rows = new Mat(picture.Height, picture.Width, MatType.CV_8UC3, Scalar.All(0));
        }

        var size = (picture.Width, picture.Height, Math.Clamp(transform.ScaledWidth, 1, format.Width), Math.Clamp(transform.ScaledHeight, 1, format.Height));
        var runs = _runs;
        if (runs is null || _runsFor != size)
        {
            runs = _runs = SourceRows(size.Item1, size.Item2, size.Item3, size.Item4);
            _runsFor = size;
        }

        foreach (var (first, count) in runs)
        {
            picture.Convert(rows, first, count);
        }

        Fill(rows, transform, format, destination);
    }

    /// <summary>
    /// The source rows that <c>Cv2.Resize</c> with <see cref="InterpolationFlags.Linear"/> reads to make an image of
    /// <paramref name="scaledWidth"/> × <paramref name="scaledHeight"/>, as runs (first row, count) widened to whole row
    /// pairs (one chroma row each in 4:2:0). OpenCV's rule (resize.cpp): destination row <c>dy</c> reads rows
    /// <c>floor((dy + 0.5) · scale − 0.5)</c> and the one below, clipped to the image; at 2:1 in both directions or 1:1
    /// OpenCV takes another path (area averaging, a copy), which reads every row.
    /// </summary>
    internal static List<(int First, int Count)> SourceRows(int width, int height, int scaledWidth, int scaledHeight)
    {
        double inverseX = (double)scaledWidth / width, inverseY = (double)scaledHeight / height;
        double scaleX = 1 / inverseX, scaleY = 1 / inverseY;
        var runs = new List<(int First, int Count)>();
        int pairs = (height + 1) / 2;
        if ((width == scaledWidth && height == scaledHeight) || (Math.Abs(scaleX - 2) < double.Epsilon && Math.Abs(scaleY - 2) < double.Epsilon))
        {
            runs.Add((0, height));
            return runs;
        }

        var needed = new bool[pairs];
        for (int dy = 0; dy < scaledHeight; dy++)
        {
            int sy = (int)MathF.Floor((float)(((dy + 0.5) * scaleY) - 0.5));
            foreach (int row in (ReadOnlySpan<int>)[sy, sy + 1])
            {
                needed[Math.Clamp(row, 0, height - 1) / 2] = true;
            }
        }

        for (int pair = 0; pair < pairs; pair++)
        {
            if (!needed[pair])
            {
                continue;
            }

            int start = pair;
            while (pair + 1 < pairs && needed[pair + 1])
            {
                pair++;
            }

            int first = start * 2;
            runs.Add((first, Math.Min(height, (pair + 1) * 2) - first));
        }

        return runs;
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
