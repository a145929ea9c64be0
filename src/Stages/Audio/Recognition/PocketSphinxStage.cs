using System.Diagnostics;
using Flow.Pipeline;

namespace Flow.Stages.Audio;

/// <summary>
/// Large-vocabulary recognition of one <see cref="Utterance"/> at a time with PocketSphinx. A native
/// decoder is not thread-safe, so build this stage from a factory
/// (<c>.Then(() =&gt; new PocketSphinxStage(...), new StageOptions { MaxDegreeOfParallelism = n })</c>):
/// the pipeline then makes one instance — one decoder — per worker, a pool of <c>n</c> decoders
/// working on different utterances in parallel, and the stage's ordering puts transcripts back in
/// time order.
/// </summary>
public sealed class PocketSphinxStage : Stage<Utterance, Transcript>, IDisposable
{
    private readonly PocketSphinxOptions _options;
    private readonly Action<Transcript>? _partial;
    private PocketSphinxDecoder? _decoder;

    /// <summary>Creates the stage; the decoder is created when the stage is opened.</summary>
    /// <param name="options">The models; <see langword="null"/> for Debian's US-English models.</param>
    /// <param name="partial">
    /// Receives partial hypotheses while an utterance is decoded in <see cref="PocketSphinxMode.Live"/> mode
    /// (from the worker's thread, so it must be thread-safe); <see langword="null"/> for none.
    /// </param>
    public PocketSphinxStage(PocketSphinxOptions? options = null, Action<Transcript>? partial = null)
    {
        _options = (options ?? new PocketSphinxOptions()).Clone();
        _partial = partial;
    }

    /// <inheritdoc />
    /// <exception cref="FileNotFoundException">A model file is missing.</exception>
    /// <exception cref="DllNotFoundException">libpocketsphinx is not installed.</exception>
    public override ValueTask OpenAsync(StageContext context, CancellationToken cancellationToken)
    {
        Open();
        return ValueTask.CompletedTask;
    }

    /// <summary>Creates the decoder outside a pipeline (tools and tests); <see cref="OpenAsync"/> does the same.</summary>
    /// <exception cref="FileNotFoundException">A model file is missing.</exception>
    /// <exception cref="DllNotFoundException">libpocketsphinx is not installed.</exception>
    public void Open() => _decoder ??= new PocketSphinxDecoder(_options);

    /// <inheritdoc />
    public override ValueTask<Transcript> ProcessAsync(Utterance item, CancellationToken cancellationToken)
        => ValueTask.FromResult(Recognize(item, cancellationToken));

    /// <summary>Decodes one utterance.</summary>
    /// <param name="utterance">The utterance.</param>
    /// <param name="cancellationToken">Checked between 100 ms feeds.</param>
    /// <returns>The final transcript.</returns>
    /// <exception cref="InvalidOperationException">The stage is not open, or the decoder failed.</exception>
    public Transcript Recognize(Utterance utterance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(utterance);
        PocketSphinxDecoder decoder = _decoder ?? throw new InvalidOperationException("the PocketSphinx stage is not open");
        long started = Stopwatch.GetTimestamp();
        Action<string, TimeSpan>? onPartial = _partial is null ? null : (text, elapsed) => _partial(new Transcript(utterance, text, isFinal: false, elapsed));
        string text = decoder.Decode(utterance.Samples, onPartial, cancellationToken);
        return new Transcript(utterance, text, isFinal: true, Stopwatch.GetElapsedTime(started));
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
