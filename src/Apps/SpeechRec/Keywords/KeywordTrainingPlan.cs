namespace Flow.Apps.SpeechRec;

/// <summary>Which words, voices and settings a keyword training run uses; test voices are never trained on.</summary>
internal sealed record KeywordTrainingPlan(
    IReadOnlyList<string> Words,
    IReadOnlyList<string> TrainVariants,
    IReadOnlyList<string> TestVariants,
    IReadOnlyList<string> Accents,
    int TrainAccentsPerVariant,
    int TestAccentsPerVariant,
    int AugmentedCopies,
    int Epochs,
    int Seed)
{
    /// <summary>The accuracy run: all words, every 5th variant held out; 2 random accents per training variant, 4 per held-out variant.</summary>
    public static KeywordTrainingPlan Full(int epochs, int copies, int seed)
    {
        (IReadOnlyList<string> train, IReadOnlyList<string> test) = KeywordDataset.SplitVariants(EspeakSynthesizer.Variants, holdOutEvery: 5);
        return new KeywordTrainingPlan(KeywordVocabulary.Words, train, test, EspeakSynthesizer.Accents, 2, 4, copies, epochs, seed);
    }

    /// <summary>A smoke run: all words, few voices.</summary>
    public static KeywordTrainingPlan Quick(int epochs, int copies, int seed)
    {
        (IReadOnlyList<string> train, IReadOnlyList<string> test) = KeywordDataset.SplitVariants(EspeakSynthesizer.Variants, holdOutEvery: 5);
        return new KeywordTrainingPlan(KeywordVocabulary.Words, [.. train.Take(16)], [.. test.Take(4)], EspeakSynthesizer.Accents, 1, 2, copies, epochs, seed);
    }
}
