using NAudio.Wave;
using NAudio.Wave.SampleProviders;

namespace Flow.Stages.Audio;

/// <summary>
/// Reads a WAV file of any rate and channel count as 16 kHz mono float samples: NAudio's
/// <see cref="WaveFileReader"/> → sample provider → channel down-mix → <see cref="WdlResamplingSampleProvider"/>.
/// The output holds exactly round(frames × 16000 / rate) samples (the resampler's tail is trimmed or
/// zero-filled to that count), so offsets and durations stay exact.
/// </summary>
internal sealed class WavDecoder : IDisposable
{
    private readonly FileStream _stream;
    private readonly WaveFileReader _reader;
    private readonly ISampleProvider _provider;
    private readonly string _path;
    private long _produced;

    private WavDecoder(string path, FileStream stream, WaveFileReader reader, ISampleProvider provider, long totalSamples)
    {
        _path = path;
        _stream = stream;
        _reader = reader;
        _provider = provider;
        TotalSamples = totalSamples;
    }

    /// <summary>How many 16 kHz mono samples the file yields.</summary>
    public long TotalSamples { get; }

    /// <summary>The file's own sample rate.</summary>
    public int SourceRate => _reader.WaveFormat.SampleRate;

    /// <summary>The file's own channel count.</summary>
    public int SourceChannels => _reader.WaveFormat.Channels;

    public static WavDecoder Open(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new AudioInputException(path, "no such file", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AudioInputException(path, $"cannot open ({e.Message})", e);
        }

        try
        {
            if (stream.Length < 12)
            {
                throw new AudioInputException(path, $"not a WAV file (only {stream.Length} bytes, no RIFF/WAVE header)", null);
            }

            WaveFileReader reader;
            try
            {
                reader = new WaveFileReader(stream);
            }
            catch (FormatException e)
            {
                throw new AudioInputException(path, $"not a WAV file ({e.Message.TrimEnd('.')})", e);
            }
            catch (EndOfStreamException e)
            {
                throw new AudioInputException(path, "truncated WAV header", e);
            }

            // NAudio quietly clamps a data chunk that runs past the end of the file; a recording cut off
            // mid-write is an error the user should hear about, so compare with the declared size.
            if (DeclaredDataBytes(stream) is (long declared, long available) && declared > available)
            {
                reader.Dispose();
                throw new AudioInputException(path, $"truncated: the header declares {declared} bytes of audio but the file holds {available}", null);
            }

            reader.Position = 0;

            WaveFormat format = reader.WaveFormat;
            bool supported = format.Encoding switch
            {
                WaveFormatEncoding.Pcm => format.BitsPerSample is 8 or 16 or 24 or 32,
                WaveFormatEncoding.IeeeFloat => format.BitsPerSample is 32 or 64,
                WaveFormatEncoding.Extensible => format.BitsPerSample is 16 or 24 or 32,
                _ => false,
            };
            if (!supported || format.Channels < 1 || format.SampleRate < 1000)
            {
                reader.Dispose();
                throw new AudioInputException(path, $"unsupported WAV encoding {format.Encoding}, {format.BitsPerSample}-bit, {format.Channels} channel(s), {format.SampleRate} Hz", null);
            }

            ISampleProvider provider = reader.ToSampleProvider();
            provider = format.Channels switch
            {
                1 => provider,
                2 => new StereoToMonoSampleProvider(provider) { LeftVolume = 0.5f, RightVolume = 0.5f },
                _ => new DownmixSampleProvider(provider),
            };
            if (format.SampleRate != SpeechAudio.SampleRate)
            {
                provider = new WdlResamplingSampleProvider(provider, SpeechAudio.SampleRate);
            }

            long frames = reader.Length / format.BlockAlign;
            long total = format.SampleRate == SpeechAudio.SampleRate
                ? frames
                : (long)Math.Round(frames * (double)SpeechAudio.SampleRate / format.SampleRate, MidpointRounding.AwayFromZero);
            return new WavDecoder(path, stream, reader, provider, total);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The data chunk's declared size and the bytes that follow its header; null when not found.</summary>
    private static (long Declared, long Available)? DeclaredDataBytes(FileStream stream)
    {
        long saved = stream.Position;
        try
        {
            Span<byte> header = stackalloc byte[8];
            long position = 12;
            while (position + 8 <= stream.Length)
            {
                stream.Position = position;
                stream.ReadExactly(header);
                uint size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
                if (header[..4].SequenceEqual("data"u8))
                {
                    // 0 and 0xFFFFFFFF are written by streaming recorders that never patch the header.
                    return size is 0 or uint.MaxValue ? null : (size, stream.Length - position - 8);
                }

                position += 8 + size + (size & 1);
            }

            return null;
        }
        finally
        {
            stream.Position = saved;
        }
    }

    /// <summary>Fills <paramref name="buffer"/> with the next samples; returns how many (0 at the end).</summary>
    public int Read(Span<float> buffer)
    {
        long remaining = TotalSamples - _produced;
        if (remaining <= 0)
        {
            return 0;
        }

        Span<float> target = buffer[..(int)Math.Min(buffer.Length, remaining)];
        int filled = 0;
        while (filled < target.Length)
        {
            int read;
            try
            {
                read = _provider.Read(target[filled..]);
            }
            catch (Exception e) when (e is IOException or EndOfStreamException or InvalidDataException)
            {
                throw new AudioInputException(_path, $"read failed after {_produced + filled} samples ({e.Message})", e);
            }

            if (read <= 0)
            {
                // The resampler's filter delay can leave it a few samples short of the exact count.
                target[filled..].Clear();
                filled = target.Length;
                break;
            }

            filled += read;
        }

        _produced += filled;
        return filled;
    }

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
    }

    /// <summary>Averages any number of interleaved channels into one.</summary>
    private sealed class DownmixSampleProvider(ISampleProvider source) : ISampleProvider
    {
        private readonly int _channels = source.WaveFormat.Channels;
        private float[] _buffer = [];

        public WaveFormat WaveFormat { get; } = WaveFormat.CreateIeeeFloatWaveFormat(source.WaveFormat.SampleRate, 1);

        public int Read(Span<float> buffer)
        {
            int needed = buffer.Length * _channels;
            if (_buffer.Length < needed)
            {
                _buffer = new float[needed];
            }

            int read = source.Read(_buffer.AsSpan(0, needed));
            int frames = read / _channels;
            for (int i = 0; i < frames; i++)
            {
                float sum = 0;
                for (int c = 0; c < _channels; c++)
                {
                    sum += _buffer[(i * _channels) + c];
                }

                buffer[i] = sum / _channels;
            }

            return frames;
        }
    }
}
