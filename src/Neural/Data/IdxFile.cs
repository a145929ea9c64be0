using System.Buffers.Binary;
using System.IO.Compression;

namespace Flow.Neural.Data;

/// <summary>
/// Reads IDX files (unsigned-byte tensors with a big-endian header, as used by MNIST and
/// Fashion-MNIST), plain or gzip-compressed, as a stream of records so files larger than memory work.
/// </summary>
public sealed class IdxFile : IDisposable
{
    private readonly Stream _stream;
    private readonly string _path;
    private int _read;

    private IdxFile(string path, Stream stream, int[] dimensions)
    {
        _path = path;
        _stream = stream;
        Dimensions = dimensions;
        RecordSize = 1;
        for (int i = 1; i < dimensions.Length; i++)
        {
            RecordSize *= dimensions[i];
        }
    }

    /// <summary>Gets the dimensions from the header; the first is the record count.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>Gets the number of records.</summary>
    public int Count => Dimensions[0];

    /// <summary>Gets the number of bytes in one record (the product of the other dimensions).</summary>
    public int RecordSize { get; }

    /// <summary>Opens an IDX file of unsigned bytes; gzip is detected from the content.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The open file, positioned at the first record.</returns>
    /// <exception cref="IdxFormatException">The file is missing, not IDX, or not of unsigned bytes.</exception>
    public static IdxFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new IdxFormatException($"IDX file '{path}' not found (install the Debian package dataset-fashion-mnist, or pass --data DIR)");
        }

        Stream stream = new BufferedStream(File.OpenRead(path), 1 << 16);
        try
        {
            Span<byte> probe = stackalloc byte[2];
            int n = stream.ReadAtLeast(probe, 2, throwOnEndOfStream: false);
            stream.Position = 0;
            if (n == 2 && probe[0] == 0x1F && probe[1] == 0x8B)
            {
                stream = new BufferedStream(new GZipStream(stream, CompressionMode.Decompress), 1 << 16);
            }

            Span<byte> magic = stackalloc byte[4];
            if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4 || magic[0] != 0 || magic[1] != 0)
            {
                throw new IdxFormatException($"'{path}' is not an IDX file (bad magic number)");
            }

            if (magic[2] != 0x08)
            {
                throw new IdxFormatException($"'{path}': element type 0x{magic[2]:X2} is not supported (only unsigned bytes, 0x08)");
            }

            int rank = magic[3];
            if (rank is < 1 or > 4)
            {
                throw new IdxFormatException($"'{path}': rank {rank} is not supported");
            }

            int[] dims = new int[rank];
            Span<byte> word = stackalloc byte[4];
            for (int i = 0; i < rank; i++)
            {
                if (stream.ReadAtLeast(word, 4, throwOnEndOfStream: false) < 4)
                {
                    throw new IdxFormatException($"'{path}' is truncated inside its header");
                }

                dims[i] = BinaryPrimitives.ReadInt32BigEndian(word);
                if (dims[i] <= 0)
                {
                    throw new IdxFormatException($"'{path}': dimension {i} is {dims[i]}");
                }
            }

            return new IdxFile(path, stream, dims);
        }
        catch (Exception ex) when (ex is InvalidDataException)
        {
            stream.Dispose();
            throw new IdxFormatException($"'{path}' is not valid gzip: {ex.Message}", ex);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads the next record.</summary>
    /// <param name="record">Receives <see cref="RecordSize"/> bytes.</param>
    /// <returns><see langword="false"/> when every record has been read.</returns>
    /// <exception cref="IdxFormatException">The file ends before the header's record count.</exception>
    public bool TryReadRecord(Span<byte> record)
    {
        if (_read >= Count)
        {
            return false;
        }

        if (_stream.ReadAtLeast(record[..RecordSize], RecordSize, throwOnEndOfStream: false) < RecordSize)
        {
            throw new IdxFormatException($"'{_path}' is truncated: the header promises {Count} records but record {_read} is incomplete");
        }

        _read++;
        return true;
    }

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();
}
