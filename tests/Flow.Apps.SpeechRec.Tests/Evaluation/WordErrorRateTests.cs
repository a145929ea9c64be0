namespace Flow.Apps.SpeechRec.Tests.Evaluation;

public sealed class WordErrorRateTests
{
    [Theory]
    [InlineData("a b c", "a b c", 0)]
    [InlineData("a b c", "a x c", 1)]   // substitution
    [InlineData("a b c", "a c", 1)]     // deletion
    [InlineData("a b c", "a b b c", 1)] // insertion
    [InlineData("a b c d", "", 4)]
    [InlineData("", "a b", 2)]
    [InlineData("he was not an ill disposed young man", "he was not an illness those young man", 2)]
    public void Errors_KnownAlignments(string reference, string hypothesis, int expected)
    {
        Assert.Equal(expected, WordErrorRate.Errors(WordErrorRate.Words(reference), WordErrorRate.Words(hypothesis)));
    }

    [Fact]
    public void Compute_IsErrorsOverReferenceWords()
    {
        Assert.Equal(0.25, WordErrorRate.Compute("A b c D", "a b c"), 9);
    }
}
