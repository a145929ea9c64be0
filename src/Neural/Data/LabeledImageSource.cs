using System.Runtime.CompilerServices;

namespace Flow.Neural.Data;

/// <summary>
/// A labelled image data set read from a pair of IDX files (images and labels), streamed as
/// batches through a shuffle buffer so only the buffer, not the data set, is held in memory.
/// </summary>
public sealed class LabeledImageSource
{
    /// <summary>Creates a source over an images file and a labels file.</summary>
    /// <param name="imagesPath">IDX file of images, [count, height, width] unsigned bytes (optionally gzipped).</param>
    /// <param name="labelsPath">IDX file of labels, [count] unsigned bytes.</param>
    /// <param name="classes">Number of classes; labels must be below it.</param>
    /// <exception cref="IdxFormatException">A file is missing or malformed, or the counts differ.</exception>
    public LabeledImageSource(string imagesPath, string labelsPath, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        ImagesPath = imagesPath;
        LabelsPath = labelsPath;
        Classes = classes;
        using IdxFile images = IdxFile.Open(imagesPath);
        using IdxFile labels = IdxFile.Open(labelsPath);
        if (images.Dimensions.Count != 3 || labels.Dimensions.Count != 1)
        {
            throw new IdxFormatException($"'{imagesPath}' must be [count, height, width] and '{labelsPath}' [count]");
        }

        if (images.Count != labels.Count)
        {
            throw new IdxFormatException($"'{imagesPath}' has {images.Count} images but '{labelsPath}' has {labels.Count} labels");
        }

        Count = images.Count;
        Height = images.Dimensions[1];
        Width = images.Dimensions[2];
    }

    /// <summary>Gets the images file.</summary>
    public string ImagesPath { get; }

    /// <summary>Gets the labels file.</summary>
    public string LabelsPath { get; }

    /// <summary>Gets the number of examples.</summary>
    public int Count { get; }

    /// <summary>Gets the image height.</summary>
    public int Height { get; }

    /// <summary>Gets the image width.</summary>
    public int Width { get; }

    /// <summary>Gets the number of classes.</summary>
    public int Classes { get; }

    /// <summary>
    /// Streams the data set once as batches of [batch, 1, height, width] inputs scaled to [0, 1].
    /// </summary>
    /// <param name="batchSize">Examples per batch; the last batch may be smaller.</param>
    /// <param name="shuffleBufferSize">Examples held for shuffling; 1 keeps the file order.</param>
    /// <param name="seed">Seed of the shuffle.</param>
    /// <param name="limit">Read at most this many examples; <see langword="null"/> reads all.</param>
    /// <param name="cancellationToken">Stops the stream.</param>
    /// <returns>The batches.</returns>
    public async IAsyncEnumerable<Batch> ReadBatchesAsync(
        int batchSize,
        int shuffleBufferSize = 1,
        int seed = 0,
        int? limit = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shuffleBufferSize);
        int pixels = Height * Width;
        int total = Math.Min(Count, limit ?? Count);
        using IdxFile images = IdxFile.Open(ImagesPath);
        using IdxFile labels = IdxFile.Open(LabelsPath);
        var random = new Random(seed);
        var buffer = new List<(byte[] Image, byte Label)>(Math.Min(shuffleBufferSize, total));
        var pending = new List<(byte[] Image, byte Label)>(batchSize);
        byte[] label = new byte[1];
        int produced = 0;

        for (int i = 0; i < total; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            byte[] image = new byte[pixels];
            images.TryReadRecord(image);
            labels.TryReadRecord(label);
            if (label[0] >= Classes)
            {
                throw new IdxFormatException($"'{LabelsPath}': label {label[0]} at record {i} is not below {Classes}");
            }

            buffer.Add((image, label[0]));
            if (buffer.Count < shuffleBufferSize)
            {
                continue;
            }

            // Emit a random element of the full buffer: a streaming approximation of a global shuffle.
            int pick = random.Next(buffer.Count);
            pending.Add(buffer[pick]);
            buffer[pick] = buffer[^1];
            buffer.RemoveAt(buffer.Count - 1);
            if (pending.Count == batchSize)
            {
                produced += pending.Count;
                yield return ToBatch(pending);
                pending.Clear();
                await Task.Yield();
            }
        }

        while (buffer.Count > 0)
        {
            int pick = random.Next(buffer.Count);
            pending.Add(buffer[pick]);
            buffer[pick] = buffer[^1];
            buffer.RemoveAt(buffer.Count - 1);
            if (pending.Count == batchSize)
            {
                yield return ToBatch(pending);
                pending.Clear();
            }
        }

        if (pending.Count > 0)
        {
            yield return ToBatch(pending);
        }
    }

    private Batch ToBatch(List<(byte[] Image, byte Label)> items)
    {
        int n = items.Count;
        int pixels = Height * Width;
        var inputs = new Tensor(n, 1, Height, Width);
        var targets = new Tensor(n, Classes);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            (byte[] image, byte label) = items[i];
            Span<float> dst = inputs.Data.AsSpan(i * pixels, pixels);
            for (int p = 0; p < pixels; p++)
            {
                dst[p] = image[p] / 255f;
            }

            targets[i, label] = 1f;
            labels[i] = label;
        }

        return new Batch(inputs, targets, labels);
    }
}
