using Flow.Apps.FraudScore.Scoring;

namespace Flow.Apps.FraudScore.Tests.Scoring;

public sealed class FraudScoringGraphTests
{
    [Theory]
    [InlineData(1, 1024, 1024, 4)]
    [InlineData(2, 1024, 1024, FraudScoringGraph.MinimumChunkCapacity)]
    [InlineData(4, 1024, 1024, FraudScoringGraph.MinimumChunkCapacity)]
    [InlineData(1, 64, 8192, 128)]
    [InlineData(2, 64, 8192, 128)]
    public void ChunkCapacity_OneLaneKeepsFourChunks_SeveralLanesAtLeastTheMinimum_LargerCapacitiesWin(int dop, int batch, int capacity, int expected)
    {
        var options = new FraudScoringOptions { DegreeOfParallelism = dop, BatchSize = batch, BoundedCapacity = capacity };

        Assert.Equal(expected, FraudScoringGraph.ChunkCapacity(options));
    }
}
