namespace Flow.Stages.Audio;

/// <summary>
/// Cuts a stream of <see cref="VoiceActivity"/> chunks into <see cref="Utterance"/>s: an utterance opens
/// at a chunk at or above <see cref="UtteranceSegmenterOptions.Threshold"/>, stays open while chunks are
/// at or above <see cref="UtteranceSegmenterOptions.ReleaseThreshold"/>, and closes after
/// <see cref="UtteranceSegmenterOptions.MinSilence"/> of quieter chunks, at the source's last chunk, or at
/// <see cref="UtteranceSegmenterOptions.MaxDuration"/>. It keeps <see cref="UtteranceSegmenterOptions.Padding"/>
/// of audio on both sides (never overlapping the previous utterance). Stateful and not thread-safe:
/// one instance per stream, fed in order (a <c>ThenMany</c> stage with one worker).
/// </summary>
public sealed class UtteranceSegmenter
{
    private readonly UtteranceSegmenterOptions _options;
    private readonly int _padding;
    private readonly int _minSilence;
    private readonly int _minSpeech;
    private readonly int _maxLength;
    private readonly List<VoiceActivity> _buffer = [];
    private string? _source;
    private bool _inSpeech;
    private long _speechStart;
    private long _lastSpeechEnd;
    private long _speechSamples;
    private long _silenceRun;
    private long _lastEmittedEnd;
    private int _nextIndex;

    /// <summary>Creates a segmenter.</summary>
    /// <param name="options">Thresholds and durations; <see langword="null"/> for the defaults.</param>
    public UtteranceSegmenter(UtteranceSegmenterOptions? options = null)
    {
        _options = (options ?? new UtteranceSegmenterOptions()).Clone();
        _padding = SpeechAudio.ToSamples(_options.Padding);
        _minSilence = SpeechAudio.ToSamples(_options.MinSilence);
        _minSpeech = SpeechAudio.ToSamples(_options.MinSpeech);
        _maxLength = Math.Max(1, SpeechAudio.ToSamples(_options.MaxDuration));
    }

    /// <summary>Takes the next chunk; returns the utterances it closes (usually none, sometimes one).</summary>
    /// <param name="activity">The chunk and its speech probability, in stream order.</param>
    /// <returns>The closed utterances, in time order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="activity"/> is null.</exception>
    public IReadOnlyList<Utterance> Push(VoiceActivity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        List<Utterance>? closed = null;
        AudioChunk chunk = activity.Chunk;
        if (_source is not null && !string.Equals(_source, chunk.Source, StringComparison.Ordinal))
        {
            // A source ended without a chunk marked last: close what it left open.
            foreach (Utterance u in Flush())
            {
                (closed ??= []).Add(u);
            }
        }

        if (_source is null)
        {
            _source = chunk.Source;
            _lastEmittedEnd = chunk.Offset;
        }

        _buffer.Add(activity);
        if (!_inSpeech)
        {
            if (activity.SpeechProbability >= _options.Threshold)
            {
                _inSpeech = true;
                _speechStart = chunk.Offset;
                _lastSpeechEnd = chunk.Offset + chunk.Samples.Length;
                _speechSamples = chunk.Samples.Length;
                _silenceRun = 0;
            }
            else
            {
                TrimIdleBuffer();
            }
        }
        else if (activity.SpeechProbability >= _options.ReleaseThreshold)
        {
            _lastSpeechEnd = chunk.Offset + chunk.Samples.Length;
            _speechSamples += chunk.Samples.Length;
            _silenceRun = 0;
        }
        else
        {
            _silenceRun += chunk.Samples.Length;
            if (_silenceRun >= _minSilence)
            {
                Add(ref closed, Close(Math.Min(_lastSpeechEnd + _padding, BufferEnd)));
            }
        }

        if (_inSpeech && BufferEnd - UtteranceStart >= _maxLength)
        {
            Add(ref closed, CutAtMaxDuration());
        }

        if (chunk.IsLast)
        {
            foreach (Utterance u in Flush())
            {
                (closed ??= []).Add(u);
            }
        }

        return (IReadOnlyList<Utterance>?)closed ?? [];
    }

    /// <summary>Closes the open utterance, if any, at the end of the stream, and forgets the stream.</summary>
    /// <returns>The closed utterance, or nothing.</returns>
    public IReadOnlyList<Utterance> Flush()
    {
        List<Utterance>? closed = null;
        if (_inSpeech)
        {
            Add(ref closed, Close(Math.Min(_lastSpeechEnd + _padding, BufferEnd)));
        }

        _buffer.Clear();
        _source = null;
        _inSpeech = false;
        return (IReadOnlyList<Utterance>?)closed ?? [];
    }

    /// <summary>Whether an utterance is open (for streaming decoders that start before it closes).</summary>
    internal bool IsInSpeech => _inSpeech;

    /// <summary>First sample of the open utterance (padding included).</summary>
    internal long OpenUtteranceStart => UtteranceStart;

    /// <summary>The index the open utterance will get if it is kept.</summary>
    internal int NextIndex => _nextIndex;

    /// <summary>Index just past the newest sample received.</summary>
    internal long ReceivedEnd => BufferEnd;

    /// <summary>Copies the buffered samples [<paramref name="from"/>, <see cref="ReceivedEnd"/>) into a new array.</summary>
    internal float[] CopyBuffered(long from)
    {
        from = Math.Max(from, BufferStart);
        var samples = new float[Math.Max(0, BufferEnd - from)];
        foreach (VoiceActivity a in _buffer)
        {
            AudioChunk c = a.Chunk;
            long lo = Math.Max(from, c.Offset);
            long hi = c.Offset + c.Samples.Length;
            if (hi > lo)
            {
                Array.Copy(c.Samples, lo - c.Offset, samples, lo - from, hi - lo);
            }
        }

        return samples;
    }

    private long BufferEnd => _buffer.Count == 0 ? _lastEmittedEnd : _buffer[^1].Chunk.Offset + _buffer[^1].Chunk.Samples.Length;

    private long BufferStart => _buffer.Count == 0 ? _lastEmittedEnd : _buffer[0].Chunk.Offset;

    private long UtteranceStart => Math.Max(Math.Max(_speechStart - _padding, _lastEmittedEnd), BufferStart);

    private static void Add(ref List<Utterance>? list, Utterance? utterance)
    {
        if (utterance is not null)
        {
            (list ??= []).Add(utterance);
        }
    }

    private Utterance? CutAtMaxDuration()
    {
        // Cut at the quietest chunk in the last third, so a word is less likely to be split.
        long start = UtteranceStart;
        long searchFrom = start + (2L * _maxLength / 3);
        VoiceActivity? quietest = null;
        foreach (VoiceActivity a in _buffer)
        {
            if (a.Chunk.Offset >= searchFrom && (quietest is null || a.SpeechProbability < quietest.SpeechProbability))
            {
                quietest = a;
            }
        }

        long cut = quietest is null ? BufferEnd : quietest.Chunk.Offset + quietest.Chunk.Samples.Length;
        Utterance? utterance = Emit(start, cut, force: true);
        _lastEmittedEnd = cut;
        DropBufferBefore(cut);

        // The rest of the speech continues as a new utterance starting exactly at the cut.
        _speechStart = cut;
        _speechSamples = Math.Max(0, BufferEnd - cut);
        _lastSpeechEnd = Math.Max(_lastSpeechEnd, cut);
        return utterance;
    }

    private Utterance? Close(long end)
    {
        long start = UtteranceStart;
        Utterance? utterance = Emit(start, end, force: false);
        _lastEmittedEnd = end;
        _inSpeech = false;
        _silenceRun = 0;
        TrimIdleBuffer();
        return utterance;
    }

    private Utterance? Emit(long start, long end, bool force)
    {
        if (end <= start || (!force && _speechSamples < _minSpeech))
        {
            return null;
        }

        var samples = new float[end - start];
        foreach (VoiceActivity a in _buffer)
        {
            AudioChunk c = a.Chunk;
            long from = Math.Max(start, c.Offset);
            long to = Math.Min(end, c.Offset + c.Samples.Length);
            if (to > from)
            {
                Array.Copy(c.Samples, from - c.Offset, samples, from - start, to - from);
            }
        }

        return new Utterance(_buffer[^1].Chunk.Source, _nextIndex++, start, samples);
    }

    private void DropBufferBefore(long sample)
    {
        int drop = 0;
        while (drop < _buffer.Count && _buffer[drop].Chunk.Offset + _buffer[drop].Chunk.Samples.Length <= sample)
        {
            drop++;
        }

        _buffer.RemoveRange(0, drop);
    }

    private void TrimIdleBuffer()
    {
        // Idle: keep only the chunks that could become the next utterance's leading padding.
        long keepFrom = Math.Max(BufferEnd - _padding - SileroVadStage.ChunkSamples, _lastEmittedEnd);
        DropBufferBefore(keepFrom);
    }
}
