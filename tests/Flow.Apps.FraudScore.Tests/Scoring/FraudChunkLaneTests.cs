using Flow.Apps.FraudScore.Data;
using Flow.Apps.FraudScore.Features;
using Flow.Apps.FraudScore.Scoring;
using Flow.Pipeline;
using Flow.Stages.Tabular.Scoring;

namespace Flow.Apps.FraudScore.Tests.Scoring;

public sealed class FraudChunkLaneTests
{
    /// <summary>A model whose "probability" is a checksum of the feature vector, so any feature difference shows.</summary>
    private sealed class ChecksumModel : IBinaryClassifier
    {
        public string Name => "checksum";

        public int FeatureCount => FraudFeatures.Count;

        public int Sessions { get; private set; }

        public IBinaryClassifierSession CreateSession()
        {
            Sessions++;
            return new Session();
        }

        public static float Checksum(float[] features)
        {
            float sum = 0;
            for (int i = 0; i < features.Length; i++)
            {
                sum = (sum * 1.0001f) + features[i];
            }

            return sum;
        }

        private sealed class Session : IBinaryClassifierSession
        {
            public void Predict(IReadOnlyList<float[]> features, Span<float> probabilities)
            {
                for (int i = 0; i < features.Count; i++)
                {
                    probabilities[i] = Checksum(features[i]);
                }
            }

            public void Dispose()
            {
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 100)]
    [InlineData(2, 37)]
    [InlineData(3, 100)]
    [InlineData(3, 5000)]
    public async Task ProcessAsync_Lanes_EachTransactionOnceWithTheSequentialFeaturesAndCardOrder(int lanes, int chunkSize)
    {
        var transactions = TransactionSimulator.Generate(new SimulatorOptions { Rows = 4000, Seed = 11 }).ToArray();
        var extractor = new CardFeatureExtractor();
        var expected = transactions.ToDictionary(tx => tx.TransactionId, tx => ChecksumModel.Checksum(extractor.Next(tx)));
        var model = new ChecksumModel();
        var stages = Enumerable.Range(0, lanes).Select(lane => new FraudChunkLane<Transaction>(lane, lanes, tx => tx, model)).ToArray();
        foreach (var stage in stages)
        {
            await stage.OpenAsync(new StageContext("score"), CancellationToken.None);
        }

        var scored = new Dictionary<long, float>();
        var lastIdPerCard = new Dictionary<long, long>();
        foreach (var chunk in transactions.Chunk(chunkSize))
        {
            for (int lane = 0; lane < lanes; lane++)
            {
                var output = await stages[lane].ProcessAsync(chunk, CancellationToken.None);
                Assert.Equal(output.Items.Length, output.Probabilities.Length);
                for (int i = 0; i < output.Count; i++)
                {
                    var tx = output.Items[i];
                    Assert.Equal(lane, FraudChunkLane<Transaction>.LaneOf(tx.CardId, lanes));
                    scored.Add(tx.TransactionId, output.Probabilities[i]);

                    // A card's transactions come out in file order.
                    Assert.True(!lastIdPerCard.TryGetValue(tx.CardId, out long previous) || previous < tx.TransactionId);
                    lastIdPerCard[tx.CardId] = tx.TransactionId;
                }
            }
        }

        foreach (var stage in stages)
        {
            await stage.CloseAsync(CancellationToken.None);
        }

        Assert.Equal(lanes, model.Sessions);
        Assert.Equal(expected, scored);
    }

    [Fact]
    public void LaneOf_ManyCards_EveryLaneGetsAShare()
    {
        var counts = new int[3];
        for (long card = 1; card <= 30_000; card++)
        {
            counts[FraudChunkLane<Transaction>.LaneOf(card, 3)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 9_000, 11_000));
        Assert.Equal(0, FraudChunkLane<Transaction>.LaneOf(12345, 1));
    }
}
