using Flow.Apps.FraudScore.Features;

namespace Flow.Apps.FraudScore.Tests.Features;

public sealed class CardSetTests
{
    [Theory]
    [InlineData(CardSet<int>.InlineLimit - 1)]
    [InlineData(CardSet<int>.InlineLimit)]
    [InlineData(CardSet<int>.InlineLimit + 1)]
    [InlineData(3 * CardSet<int>.InlineLimit)]
    public void AddIfMissing_AroundTheInlineLimit_EqualsAHashSet(int distinct)
    {
        var set = default(CardSet<int>);
        var reference = new HashSet<int>();
        var random = new Random(distinct);

        // Each value is offered several times, in random order, so repeats hit both the array and the hash set.
        for (int i = 0; i < distinct * 4; i++)
        {
            int value = random.Next(distinct) * 7919;
            Assert.Equal(reference.Add(value), set.AddIfMissing(value));
            Assert.Equal(reference.Count, set.Count);
        }

        for (int value = -1; value <= distinct * 7919; value += 7919)
        {
            Assert.Equal(reference.Contains(value), set.Contains(value));
        }
    }

    [Fact]
    public void AddIfMissing_Strings_ComparesOrdinally()
    {
        var set = default(CardSet<string>);

        Assert.True(set.AddIfMissing("DE"));
        Assert.False(set.AddIfMissing(new string(['D', 'E'])));
        Assert.True(set.AddIfMissing("de"));
        Assert.Equal(2, set.Count);
    }
}
