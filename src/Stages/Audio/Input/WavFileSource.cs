using System.Runtime.CompilerServices;
using Flow.Pipeline;

namespace Flow.Stages.Audio;

/// <summary>
/// A source of <see cref="AudioChunk"/>s from WAV files (any rate and channel count, converted to
/// 16 kHz mono with NAudio), one file after another; every file is checked when the source is
/// opened, so a bad file fails the run before any audio flows.
/// </summary>
public sealed class WavFileSource : ISourceStage<AudioChunk>
{
    private readonly IReadOnlyList<string> _files;
    private readonly AudioSourceOptions _options;
    internal TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Creates the source.</summary>
    /// <param name="files">The WAV files, in the order to play them.</param>
    /// <param name="options">Chunking and pacing; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="files"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="files"/> is empty.</exception>
    public WavFileSource(IReadOnlyList<string> files, AudioSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0)
        {
            throw new ArgumentException("at least one WAV file is needed", nameof(files));
        }

        _files = [.. files];
        _options = (options ?? new AudioSourceOptions()).Clone();
    }

    /// <summary>The files this source plays.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>
    /// Expands inputs into WAV files: a file stays as it is, a folder becomes its <c>*.wav</c> files
    /// (case-insensitive, sorted by name, not recursive).
    /// </summary>
    /// <param name="inputs">Files and folders.</param>
    /// <returns>The files.</returns>
    /// <exception cref="AudioInputException">An input does not exist, or a folder holds no WAV file.</exception>
    public static IReadOnlyList<string> ExpandInputs(IEnumerable<string> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var files = new List<string>();
        foreach (string input in inputs)
        {
            if (Directory.Exists(input))
            {
                string[] found = Directory.EnumerateFiles(input)
                    .Where(f => f.EndsWith(".wav", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .ToArray();
                if (found.Length == 0)
                {
                    throw new AudioInputException(input, "folder holds no .wav file", null);
                }

                files.AddRange(found);
            }
            else if (File.Exists(input))
            {
                files.Add(input);
            }
            else
            {
                throw new AudioInputException(input, "no such file or folder", null);
            }
        }

        return files;
    }

    /// <inheritdoc />
    public ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        Clock = context.TimeProvider;
        foreach (string file in _files)
        {
            using var probe = WavDecoder.Open(file);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AudioChunk> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        RealtimePacer? pacer = _options.Realtime ? new RealtimePacer(Clock) : null;
        TimeSpan played = TimeSpan.Zero;
        foreach (string file in _files)
        {
            using var decoder = WavDecoder.Open(file);
            long offset = 0;
            while (offset < decoder.TotalSamples || decoder.TotalSamples == 0)
            {
                int size = (int)Math.Min(_options.ChunkSamples, decoder.TotalSamples - offset);
                var samples = new float[size];
                int read = 0;
                while (read < size)
                {
                    int n = decoder.Read(samples.AsSpan(read));
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }

                bool last = offset + size >= decoder.TotalSamples;
                if (pacer is not null)
                {
                    await pacer.WaitUntilAsync(played + SpeechAudio.ToTime(offset + size), cancellationToken).ConfigureAwait(false);
                }

                yield return new AudioChunk(file, offset, samples, last);
                offset += size;
                if (last)
                {
                    break;
                }
            }

            played += SpeechAudio.ToTime(decoder.TotalSamples);
        }
    }

    /// <inheritdoc />
    public ValueTask CloseAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
