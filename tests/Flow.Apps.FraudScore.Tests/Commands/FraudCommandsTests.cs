using System.CommandLine;
using Flow.Apps.FraudScore.Commands;
using Flow.Apps.FraudScore.Tests.Scoring;

namespace Flow.Apps.FraudScore.Tests.Commands;

[Collection("fraud")]
public sealed class FraudCommandsTests(FraudFixture fixture)
{
    private static Task<int> InvokeAsync(params string[] args) => new RootCommand("test") { FraudCommands.Create() }.Parse(args).InvokeAsync();

    [Fact]
    public void Create_HasTheDocumentedSubcommands()
    {
        var command = FraudCommands.Create();

        Assert.Equal("fraud", command.Name);
        Assert.Equal(["generate", "train", "score", "replay", "kafka-dev", "demo"], command.Subcommands.Select(c => c.Name));
        Assert.Equal("kafka-dev", FraudCommands.CreateKafkaDev().Name);
    }

    [Fact]
    public async Task Generate_WritesExactlyTheRowsAsked()
    {
        string path = fixture.NewPath("cli.csv");

        int exit = await InvokeAsync("fraud", "generate", "--rows", "1234", "--seed", "5", "--out", path);

        Assert.Equal(0, exit);
        var lines = File.ReadAllLines(path);
        Assert.Equal(1235, lines.Length);
        Assert.Equal(Flow.Apps.FraudScore.Data.TransactionSimulator.CsvHeader, lines[0]);
    }

    [Fact]
    public async Task Generate_ZeroRows_IsAParseError()
    {
        int exit = await InvokeAsync("fraud", "generate", "--rows", "0", "--out", fixture.NewPath("none.csv"));

        Assert.NotEqual(0, exit);
    }

    [Fact]
    public async Task Score_Csv_WritesScoredOutputAndAlerts()
    {
        string scored = fixture.NewPath("scored.csv");
        string alerts = fixture.NewPath("alerts.csv");

        int exit = await InvokeAsync("fraud", "score", "--csv", fixture.CsvPath, "--models", fixture.ModelFolder, "--out", scored, "--alerts", alerts, "--dead-letters", fixture.NewPath("dl.txt"));

        Assert.Equal(0, exit);
        var scoredLines = File.ReadAllLines(scored);
        var alertLines = File.ReadAllLines(alerts);
        Assert.Equal(FraudFixture.Rows + 1, scoredLines.Length);
        Assert.Equal(scoredLines.Skip(1).Count(l => l.Split(',')[5] == "1"), alertLines.Length - 1);
        Assert.True(alertLines.Length > 1);
    }

    [Fact]
    public async Task RunDemoAsync_EmbeddedDefaults_TrainsScoresAndReports()
    {
        var output = new StringWriter();

        int exit = await FraudCommands.RunDemoAsync(output, CancellationToken.None);

        Assert.Equal(0, exit);
        string text = output.ToString();
        Assert.Contains("[fraud] simulated 60,000 transactions", text);
        Assert.Contains("lightgbm  trained", text);
        Assert.Contains("fraud score [lightgbm", text);
        Assert.Contains("60,000 scored", text);
        Assert.Contains("bottleneck:", text);
    }

    [Fact]
    public async Task KafkaDev_PrintsBootstrapAndExitsAtEndOfStdin()
    {
        var line = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (process, output) = KafkaTestTools.StartHost(
            l =>
            {
                if (l.StartsWith("BOOTSTRAP=", StringComparison.Ordinal))
                {
                    line.TrySetResult(l.Trim());
                }
            },
            "fraud",
            "kafka-dev");
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => line.TrySetException(new InvalidOperationException("kafka-dev exited: " + output));
        string bootstrap = await line.Task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Matches(@"^BOOTSTRAP=127\.0\.0\.1:\d+$", bootstrap);

        // The broker really speaks Kafka: produce and read back one record.
        string address = bootstrap["BOOTSTRAP=".Length..];
        KafkaTestTools.Produce(address, "hello", "k", "v");
        Assert.Single(KafkaTestTools.ReadTopic(address, "hello", 1));

        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, process.ExitCode);
    }
}
