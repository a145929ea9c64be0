namespace Flow.Stages.Audio;

/// <summary>How a PocketSphinx decoder is fed an utterance.</summary>
public enum PocketSphinxMode
{
    /// <summary>
    /// The whole utterance in one call (<c>full_utt</c>): cepstral mean normalisation over the utterance
    /// itself, as <c>pocketsphinx_batch</c> does. The result depends only on the utterance — not on
    /// which decoder of the pool took it or what it decoded before — and no partial hypotheses are made.
    /// </summary>
    WholeUtterance,

    /// <summary>
    /// 100 ms feeds with partial hypotheses, as a live microphone would (like <c>pocketsphinx_continuous</c>).
    /// The decoder's running cepstral mean carries over from its previous utterances, so with a pool the
    /// text can vary with which decoder took an utterance.
    /// </summary>
    Live,
}
