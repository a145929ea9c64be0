using System.CommandLine;
using Flow.Apps.FraudScore.Commands;
using Flow.Apps.FraudScore.Tests.Scoring;

namespace Flow.Apps.FraudScore.Tests.Commands;

[Collection("fraud")]
public sealed class FraudCommandsTests(FraudFixture fixture)
{
    private static Task<int> InvokeAsync(params string[] args) => new RootCommand("test") { FraudCommands.Create() }.Parse(args).InvokeAsync();

    /// <summary>Runs a command the way the flow CLI does: an exception escapes to its top-level handler.</summary>
    private static Task<int> InvokeWithoutHandlerAsync(params string[] args) =>
        new RootCommand("test") { FraudCommands.Create() }.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });

    private static string[] ParseErrors(params string[] args) =>
        [.. new RootCommand("test") { FraudCommands.Create() }.Parse(args).Errors.Select(e => e.Message)];

    public static TheoryData<string[], string> RejectedAtParse => new()
    {
        { ["fraud", "score", "--csv", "tx.csv", "--kafka", "127.0.0.1:9092"], "give either --csv FILE or --kafka HOST:PORT, not both" },
        { ["fraud", "score"], "pass --csv FILE or --kafka HOST:PORT" },
        { ["fraud", "score", "--csv", "tx.csv", "--max-records", "10"], "--max-records applies to --kafka only" },
        { ["fraud", "score", "--csv", "tx.csv", "--group", "g"], "--group applies to --kafka only" },
        { ["fraud", "score", "--kafka", "127.0.0.1:9092", "--speed", "2"], "--speed applies to --csv only" },
        { ["fraud", "score", "--kafka", "127.0.0.1:9092", "--dead-letters", "d.txt"], "--dead-letters applies to --csv only" },
        { ["fraud", "score", "--csv", "tx.csv", "--speed", "0"], "--speed must be a positive number" },
        { ["fraud", "score", "--csv", "tx.csv", "--speed", "-1"], "--speed must be a positive number" },
        { ["fraud", "score", "--csv", "tx.csv", "--threshold", "1.5"], "--threshold must be in [0, 1]" },
        { ["fraud", "score", "--kafka", "127.0.0.1:9092", "--idle-exit", "0"], "--idle-exit must be a positive number" },
        { ["fraud", "score", "--kafka", "127.0.0.1:9092", "--session-timeout-ms", "0"], "--session-timeout-ms must be a positive number" },
        { ["fraud", "train", "--target-precision", "1.5"], "--target-precision must be in (0, 1]" },
        { ["fraud", "train", "--target-precision", "0"], "--target-precision must be in (0, 1]" },
        { ["fraud", "generate", "--cards", "0"], "--cards must be a positive number" },
        { ["fraud", "replay", "--kafka", "127.0.0.1:9092", "--speed", "0"], "--speed must be a positive number" },
        { ["fraud", "kafka-dev", "--brokers", "0"], "--brokers must be a positive number" },
    };

    [Theory]
    [MemberData(nameof(RejectedAtParse))]
    public void Parse_BadOptionValueOrCombination_OneErrorThatNamesTheOption(string[] args, string expected)
    {
        Assert.Equal([expected], ParseErrors(args));
    }

    [Fact]
    public void Parse_TrainUnknownModelKind_IsRejectedNamingTheValue()
    {
        var errors = ParseErrors("fraud", "train", "--models", "lightgbm", "xgb");

        var error = Assert.Single(errors);
        Assert.Contains("'xgb'", error, StringComparison.Ordinal);
        Assert.Contains("lightgbm", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ValidCombinations_HaveNoErrors()
    {
        Assert.Empty(ParseErrors("fraud", "score", "--csv", "tx.csv", "--speed", "60", "--out", "s.csv", "--dead-letters", "d.txt", "--threshold", "0.5"));
        Assert.Empty(ParseErrors("fraud", "score", "--kafka", "127.0.0.1:9092", "--topic", "tx", "--group", "g", "--max-records", "10", "--idle-exit", "5"));
        Assert.Empty(ParseErrors("fraud", "train", "--models", "lightgbm", "mlp", "--target-precision", "1"));
    }

    [Fact]
    public async Task Score_MissingCsv_FailsBeforeLoadingModels_NamingTheFile()
    {
        string csv = fixture.NewPath("missing.csv");

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => InvokeWithoutHandlerAsync("fraud", "score", "--csv", csv, "--models", fixture.NewPath("no-models"), "--live", "false"));

        Assert.Equal($"transaction CSV '{csv}' not found (pass --csv, or write one with 'flow fraud generate --out {csv}')", error.Message);
    }

    [Fact]
    public async Task Score_MissingModelFolder_TheCauseEscapesToTheTopLevelHandler()
    {
        string models = fixture.NewPath("no-models");

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => InvokeWithoutHandlerAsync("fraud", "score", "--csv", fixture.CsvPath, "--models", models, "--live", "false"));

        Assert.Equal($"model manifest '{Path.Combine(models, "manifest.json")}' not found (pass --models or run 'flow fraud train')", error.Message);
    }

    [Fact]
    public async Task Train_MissingCsv_NamesTheFile()
    {
        string csv = fixture.NewPath("missing.csv");

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => InvokeWithoutHandlerAsync("fraud", "train", "--csv", csv, "--out", fixture.NewPath("m")));

        Assert.Equal($"transaction CSV '{csv}' not found (pass --csv, or write one with 'flow fraud generate --out {csv}')", error.Message);
    }

    [Fact]
    public async Task Train_MissingArff_NamesTheFileAndWhereToGetIt()
    {
        string arff = fixture.NewPath("missing.arff");

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => InvokeWithoutHandlerAsync("fraud", "train", "--arff", arff));

        Assert.Equal($"ARFF file '{arff}' not found (run scripts/assets/fraud.sh to fetch credit-g.arff)", error.Message);
    }

    [Fact]
    public async Task Score_Csv_BrokenQuoteInTheMiddle_DeadLettersThatLine_ScoresEveryOtherRow()
    {
        // 2,000 rows of the fixture's file; row 1,800 (line 1,801) starts with a quote that is never closed.
        var lines = File.ReadLines(fixture.CsvPath).Take(2001).ToArray();
        string broken = "\"" + lines[1800];
        lines[1800] = broken;
        string csv = fixture.NewPath("broken.csv");
        File.WriteAllLines(csv, lines);
        string scored = fixture.NewPath("scored.csv");
        string deadLetters = fixture.NewPath("dl.txt");

        int exit = await InvokeAsync("fraud", "score", "--csv", csv, "--models", fixture.ModelFolder, "--engine", "mlnet", "--out", scored, "--dead-letters", deadLetters, "--live", "false");

        Assert.Equal(0, exit);
        Assert.Equal(
            lines.Skip(1).Where(l => l != broken).Select(l => l.Split(',')[0]).Order(),
            File.ReadLines(scored).Skip(1).Select(l => l.Split(',')[0]).Order());
        Assert.Equal([$"{csv}:1801: malformed CSV (A quoted field at the end of the input ends without a closing quote) | {broken}"], File.ReadAllLines(deadLetters));
    }

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
