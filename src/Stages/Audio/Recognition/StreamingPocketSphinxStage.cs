using System.Diagnostics;
using Flow.Pipeline;

namespace Flow.Stages.Audio;

/// <summary>
/// Segmentation and recognition in one streaming stage for live input: every chunk of an open utterance
/// is fed to one PocketSphinx decoder as it arrives (with partial hypotheses), so the final transcript is
/// ready as soon as the segmenter closes the utterance. One decoder, one worker: the stream is sequential
/// (use <see cref="PocketSphinxStage"/> behind an <see cref="UtteranceSegmenter"/> for a pool). Decoding is
/// always <see cref="PocketSphinxMode.Live"/>: the decoder's running cepstral mean carries across utterances.
/// </summary>
public sealed class StreamingPocketSphinxStage : Stage<VoiceActivity, IReadOnlyList<Transcript>>, IDisposable
{
    private readonly PocketSphinxOptions _options;
    private readonly UtteranceSegmenter _segmenter;
    private readonly Action<Transcript>? _partial;
    private readonly Action<Utterance>? _closed;
    private readonly int _partialEvery;
    private PocketSphinxDecoder? _decoder;
    private bool _decoding;
    private long _fedUpTo;
    private long _nextPartial;
    private long _decodeStarted;
    private string _source = string.Empty;
    private long _utteranceStart;

    /// <summary>Creates the stage; the decoder is created when the stage is opened.</summary>
    /// <param name="segmenter">When utterances open and close; <see langword="null"/> for the defaults.</param>
    /// <param name="options">The models; <see langword="null"/> for Debian's US-English models.</param>
    /// <param name="partial">Receives partial hypotheses while an utterance is being spoken; <see langword="null"/> for none.</param>
    /// <param name="closed">Told when the segmenter closes an utterance, just before its final decode; <see langword="null"/> for none.</param>
    public StreamingPocketSphinxStage(UtteranceSegmenterOptions? segmenter = null, PocketSphinxOptions? options = null, Action<Transcript>? partial = null, Action<Utterance>? closed = null)
    {
        _options = (options ?? new PocketSphinxOptions()).Clone();
        _options.Mode = PocketSphinxMode.Live;
        _segmenter = new UtteranceSegmenter(segmenter);
        _partial = partial;
        _closed = closed;
        _partialEvery = Math.Max(1, SpeechAudio.ToSamples(_options.PartialInterval));
    }

    /// <inheritdoc />
    /// <exception cref="FileNotFoundException">A model file is missing.</exception>
    public override ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        Open();
        return ValueTask.CompletedTask;
    }

    /// <summary>Creates the decoder outside a pipeline (tools and tests).</summary>
    /// <exception cref="FileNotFoundException">A model file is missing.</exception>
    public void Open() => _decoder ??= new PocketSphinxDecoder(_options);

    /// <inheritdoc />
    public override ValueTask<IReadOnlyList<Transcript>> ProcessAsync(VoiceActivity item, CancellationToken cancellationToken)
        => ValueTask.FromResult(Process(item));

    /// <summary>Takes the next chunk; returns the final transcripts of the utterances it closes.</summary>
    /// <param name="activity">The chunk and its speech probability, in stream order.</param>
    /// <returns>Final transcripts (usually none).</returns>
    /// <exception cref="InvalidOperationException">The stage is not open.</exception>
    public IReadOnlyList<Transcript> Process(VoiceActivity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        PocketSphinxDecoder decoder = _decoder ?? throw new InvalidOperationException("the streaming PocketSphinx stage is not open");
        List<Transcript>? finals = null;
        foreach (Utterance u in _segmenter.Push(activity))
        {
            _closed?.Invoke(u);
            if (!_decoding)
            {
                // Opened and closed by the same chunk (a source's last): decode it now.
                decoder.Start();
                decoder.Feed(u.Samples);
                _decodeStarted = Stopwatch.GetTimestamp();
            }

            string text = decoder.End();
            _decoding = false;
            (finals ??= []).Add(new Transcript(u, text, isFinal: true, Stopwatch.GetElapsedTime(_decodeStarted)));
        }

        if (_decoding && !_segmenter.IsInSpeech)
        {
            // The segmenter dropped the utterance (less speech than its minimum): discard the decode.
            _ = decoder.End();
            _decoding = false;
        }

        if (_segmenter.IsInSpeech)
        {
            if (!_decoding)
            {
                _decoding = true;
                _decodeStarted = Stopwatch.GetTimestamp();
                _source = activity.Chunk.Source;
                _utteranceStart = _segmenter.OpenUtteranceStart;
                _fedUpTo = _utteranceStart;
                _nextPartial = _utteranceStart + _partialEvery;
                decoder.Start();
            }

            float[] fresh = _segmenter.CopyBuffered(_fedUpTo);
            if (fresh.Length > 0)
            {
                decoder.Feed(fresh);
                _fedUpTo += fresh.Length;
            }

            if (_partial is not null && _fedUpTo >= _nextPartial)
            {
                _nextPartial = _fedUpTo + _partialEvery;
                string hypothesis = decoder.Partial();
                if (hypothesis.Length > 0)
                {
                    // The index the utterance gets when it closes (if it is long enough to be kept).
                    _partial(new Transcript(_source, _segmenter.NextIndex, SpeechAudio.ToTime(_utteranceStart), SpeechAudio.ToTime(_fedUpTo), hypothesis, isFinal: false, Stopwatch.GetElapsedTime(_decodeStarted)));
                }
            }
        }

        return (IReadOnlyList<Transcript>?)finals ?? [];
    }

    /// <inheritdoc />
    public override ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _decoder?.Dispose();
        _decoder = null;
    }
}
