namespace Flow.Apps.SpeechRec;

/// <summary>Word error rate: (substitutions + deletions + insertions) / reference words, by Levenshtein alignment of words.</summary>
public static class WordErrorRate
{
    /// <summary>Counts the word edits that turn <paramref name="hypothesis"/> into <paramref name="reference"/>.</summary>
    /// <param name="reference">The true words.</param>
    /// <param name="hypothesis">The recognised words.</param>
    /// <returns>The minimal number of substitutions, deletions and insertions.</returns>
    public static int Errors(IReadOnlyList<string> reference, IReadOnlyList<string> hypothesis)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(hypothesis);
        var previous = new int[hypothesis.Count + 1];
        var current = new int[hypothesis.Count + 1];
        for (int j = 0; j <= hypothesis.Count; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= reference.Count; i++)
        {
            current[0] = i;
            for (int j = 1; j <= hypothesis.Count; j++)
            {
                int substitution = previous[j - 1] + (string.Equals(reference[i - 1], hypothesis[j - 1], StringComparison.Ordinal) ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[hypothesis.Count];
    }

    /// <summary>Splits text into lower-case words (whitespace-separated).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The words.</returns>
    public static IReadOnlyList<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The WER of one hypothesis against one reference.</summary>
    /// <param name="reference">The true text.</param>
    /// <param name="hypothesis">The recognised text.</param>
    /// <returns>Errors / reference words (0 when both are empty).</returns>
    public static double Compute(string reference, string hypothesis)
    {
        IReadOnlyList<string> r = Words(reference);
        int errors = Errors(r, Words(hypothesis));
        return r.Count == 0 ? (errors == 0 ? 0 : 1) : (double)errors / r.Count;
    }
}
