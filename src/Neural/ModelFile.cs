using System.Buffers.Binary;
using Flow.Neural.Internal.Layers;

namespace Flow.Neural;

/// <summary>
/// Saves and loads <see cref="Sequential"/> models in Flow.Neural's own binary format:
/// a 20-byte header (magic <c>FLNN</c>, format version, payload length, CRC-32 of the payload)
/// followed by the layers (kind, configuration) and their parameters, little-endian.
/// </summary>
public static class ModelFile
{
    /// <summary>The current format version.</summary>
    public const ushort FormatVersion = 1;

    private const int HeaderSize = 20;
    private static readonly byte[] Magic = "FLNN"u8.ToArray();

    /// <summary>Writes a model to a file, replacing it.</summary>
    /// <param name="model">The model.</param>
    /// <param name="path">The destination file.</param>
    public static void Save(Sequential model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream stream = File.Create(path);
        Save(model, stream);
    }

    /// <summary>Writes a model to a stream.</summary>
    /// <param name="model">The model.</param>
    /// <param name="stream">A writable stream.</param>
    public static void Save(Sequential model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        using var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(model.Layers.Count);
            foreach (Layer layer in model.Layers)
            {
                w.Write((byte)layer.Kind);
                int[] config = layer.Config;
                w.Write(config.Length);
                foreach (int c in config)
                {
                    w.Write(c);
                }

                w.Write(layer.Parameters.Count);
                foreach (Parameter p in layer.Parameters)
                {
                    w.Write(p.Value.Length);
                    w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.Value.Span));
                }
            }
        }

        byte[] body = payload.ToArray();
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], Crc32(body));
        stream.Write(header);
        stream.Write(body);
    }

    /// <summary>Reads a model from a file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model, with the saved parameter values.</returns>
    /// <exception cref="ModelFormatException">The file is missing, truncated, corrupted, of another format or of a newer version.</exception>
    public static Sequential Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new ModelFormatException(path, "file not found (train one with 'flow train fashion --out DIR')");
        }

        using FileStream stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Reads a model from a stream.</summary>
    /// <param name="stream">A readable stream positioned at the header.</param>
    /// <param name="sourceName">A name for the stream used in error messages.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelFormatException">The data is truncated, corrupted, of another format or of a newer version.</exception>
    public static Sequential Load(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        byte[] header = new byte[HeaderSize];
        int read = stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false);
        if (read < Magic.Length || !header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            string found = Convert.ToHexString(header, 0, Math.Min(read, Magic.Length));
            throw new ModelFormatException(sourceName, $"not a Flow.Neural model file (expected magic bytes 'FLNN', found 0x{found})");
        }

        if (read < HeaderSize)
        {
            throw new ModelFormatException(sourceName, $"truncated: the {HeaderSize}-byte header ends after {read} bytes");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(4));
        if (version != FormatVersion)
        {
            throw new ModelFormatException(sourceName, $"format version {version} is not supported (this build reads version {FormatVersion})");
        }

        long length = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8));
        uint checksum = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(16));
        if (length < 0 || length > Array.MaxLength)
        {
            throw new ModelFormatException(sourceName, $"corrupted header: payload length {length}");
        }

        byte[] body = new byte[length];
        int got = stream.ReadAtLeast(body, body.Length, throwOnEndOfStream: false);
        if (got < length)
        {
            throw new ModelFormatException(sourceName, $"truncated: the header promises {length} payload bytes but only {got} follow");
        }

        if (Crc32(body) != checksum)
        {
            throw new ModelFormatException(sourceName, "checksum mismatch: the file is corrupted");
        }

        try
        {
            return Parse(body);
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or ArgumentException or IndexOutOfRangeException)
        {
            throw new ModelFormatException(sourceName, $"malformed payload: {ex.Message}", ex);
        }
    }

    private static Sequential Parse(byte[] body)
    {
        using var r = new BinaryReader(new MemoryStream(body));
        int layerCount = r.ReadInt32();
        if (layerCount <= 0 || layerCount > 10_000)
        {
            throw new InvalidDataException($"layer count {layerCount}");
        }

        var layers = new Layer[layerCount];
        for (int i = 0; i < layerCount; i++)
        {
            var kind = (LayerKind)r.ReadByte();
            int configLength = r.ReadInt32();
            if (configLength < 0 || configLength > 64)
            {
                throw new InvalidDataException($"layer {i}: configuration length {configLength}");
            }

            int[] config = new int[configLength];
            for (int c = 0; c < configLength; c++)
            {
                config[c] = r.ReadInt32();
            }

            Layer layer = Neural.Layers.FromConfig(kind, config);
            int parameterCount = r.ReadInt32();
            if (parameterCount != layer.Parameters.Count)
            {
                throw new InvalidDataException($"layer {i} ({layer.Description}) has {parameterCount} parameters, expected {layer.Parameters.Count}");
            }

            foreach (Parameter p in layer.Parameters)
            {
                int n = r.ReadInt32();
                if (n != p.Value.Length)
                {
                    throw new InvalidDataException($"layer {i} ({layer.Description}) {p.Name}: {n} values, expected {p.Value.Length}");
                }

                byte[] bytes = r.ReadBytes(n * sizeof(float));
                if (bytes.Length != n * sizeof(float))
                {
                    throw new EndOfStreamException($"layer {i} {p.Name} ends early");
                }

                bytes.AsSpan().CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.Value.Span));
            }

            layers[i] = layer;
        }

        return new Sequential(layers);
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }

    /// <summary>CRC-32 (IEEE 802.3), as in zip and PNG.</summary>
    internal static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }
}
