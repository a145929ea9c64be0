using Flow.Apps.FraudScore.Data;
using Flow.Apps.FraudScore.Models;
using Flow.Stages.Kafka;

namespace Flow.Apps.FraudScore.Tests;

/// <summary>
/// Shared by every test class: a simulated data set, models trained on it once, and a mock Kafka
/// cluster on loopback (real protocol) for the Kafka tests.
/// </summary>
public sealed class FraudFixture : IDisposable
{
    public const int Rows = 30_000;

    public FraudFixture()
    {
        Folder = Directory.CreateTempSubdirectory("flow-fraud-tests-").FullName;
        CsvPath = Path.Combine(Folder, "tx.csv");
        TransactionSimulator.WriteCsv(new SimulatorOptions { Rows = Rows, Seed = 7 }, CsvPath);
        ModelFolder = Path.Combine(Folder, "models");
        Manifest = FraudTraining.Train(
            TransactionFile.ReadAllAsync(CsvPath).GetAwaiter().GetResult(),
            new FraudTrainingSettings { OutputFolder = ModelFolder, Kinds = [FraudModelKind.LightGbm, FraudModelKind.FastTree, FraudModelKind.Mlp], Trees = 60, Epochs = 2 },
            TextWriter.Null,
            CancellationToken.None);
        Broker = KafkaDevBroker.Start();
    }

    public string Folder { get; }

    public string CsvPath { get; }

    public string ModelFolder { get; }

    public FraudModelManifest Manifest { get; }

    public KafkaDevBroker Broker { get; }

    public string NewPath(string name) => Path.Combine(Folder, $"{Guid.NewGuid():N}-{name}");

    public void Dispose()
    {
        Broker.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}

[CollectionDefinition("fraud")]
public sealed class FraudGroup : ICollectionFixture<FraudFixture>
{
}
