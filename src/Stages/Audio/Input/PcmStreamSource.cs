using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Flow.Pipeline;

namespace Flow.Stages.Audio;

/// <summary>
/// A source of <see cref="AudioChunk"/>s from raw signed 16-bit little-endian, 16 kHz mono PCM on a
/// stream — a live microphone piped in (<c>arecord -f S16_LE -r 16000 -c 1 | flow speech --stdin</c>).
/// Chunks are cut at exact sample counts whatever sizes the stream's reads return; a trailing odd
/// byte is ignored.
/// </summary>
public sealed class PcmStreamSource : ISourceStage<AudioChunk>
{
    private readonly Stream _stream;
    private readonly string _name;
    private readonly AudioSourceOptions _options;
    internal TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Creates the source.</summary>
    /// <param name="stream">The PCM stream (not disposed by the source).</param>
    /// <param name="name">The name chunks carry as their source.</param>
    /// <param name="options">Chunking and pacing; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="name"/> is null.</exception>
    public PcmStreamSource(Stream stream, string name = "stdin", AudioSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        _stream = stream;
        _name = name;
        _options = (options ?? new AudioSourceOptions()).Clone();
    }

    /// <inheritdoc />
    public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        Clock = context.TimeProvider;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AudioChunk> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        RealtimePacer? pacer = _options.Realtime ? new RealtimePacer(Clock) : null;
        int chunkBytes = _options.ChunkSamples * 2;
        var bytes = new byte[chunkBytes];
        long offset = 0;
        float[]? pending = null;
        while (true)
        {
            int filled = 0;
            while (filled < chunkBytes)
            {
                int n = await _stream.ReadAsync(bytes.AsMemory(filled, chunkBytes - filled), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                filled += n;
            }

            int count = filled / 2;
            float[]? current = null;
            if (count > 0)
            {
                current = new float[count];
                for (int i = 0; i < count; i++)
                {
                    current[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(2 * i)) / 32768f;
                }
            }

            // One chunk of look-behind, so the final chunk can be marked IsLast.
            if (pending is not null)
            {
                bool last = current is null;
                if (pacer is not null)
                {
                    await pacer.WaitUntilAsync(SpeechAudio.ToTime(offset + pending.Length), cancellationToken).ConfigureAwait(false);
                }

                yield return new AudioChunk(_name, offset, pending, last);
                offset += pending.Length;
            }

            if (current is null)
            {
                yield break;
            }

            pending = current;
            if (filled < chunkBytes)
            {
                if (pacer is not null)
                {
                    await pacer.WaitUntilAsync(SpeechAudio.ToTime(offset + pending.Length), cancellationToken).ConfigureAwait(false);
                }

                yield return new AudioChunk(_name, offset, pending, isLast: true);
                yield break;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask CloseAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
