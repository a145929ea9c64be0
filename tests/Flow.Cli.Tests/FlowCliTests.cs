using System.CommandLine;
using System.ComponentModel;
using Flow.Pipeline;

namespace Flow.Cli.Tests;

public sealed class FlowCliTests
{
    private static async Task<(int Exit, string[] Error)> RunAsync(RootCommand root, params string[] args)
    {
        var error = new StringWriter();
        int exit = await FlowCli.RunAsync(root, args, error);
        return (exit, error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    private static RootCommand Throwing(Exception exception)
    {
        var fail = new Command("fail");
        fail.SetAction(new Func<ParseResult, int>(_ => throw exception));
        return new RootCommand("test") { new Command("group") { fail } };
    }

    [Fact]
    public async Task RunAsync_MissingFileInsideAPipelineStage_OneLineNamingTheFileAndExit2()
    {
        var failure = new StageFailedException("csv", StagePhase.Open, null, new FileNotFoundException("CSV file 'tx.csv' not found", "tx.csv"));

        var (exit, error) = await RunAsync(Throwing(failure), "group", "fail");

        Assert.Equal(CliErrors.UserError, exit);
        Assert.Equal(["flow group fail: CSV file 'tx.csv' not found"], error);
    }

    [Fact]
    public async Task RunAsync_ArgumentOutOfRange_OneLineWithoutTheParameterSuffix()
    {
        var (exit, error) = await RunAsync(Throwing(new ArgumentOutOfRangeException("cards", 0, "cards must be positive")), "group", "fail");

        Assert.Equal(CliErrors.UserError, exit);
        Assert.Equal(["flow group fail: cards must be positive"], error);
    }

    [Fact]
    public async Task RunAsync_Bug_PrintsTheWholeExceptionAndExit70()
    {
        var (exit, error) = await RunAsync(Throwing(new KeyNotFoundException("boom")), "group", "fail");

        Assert.Equal(CliErrors.InternalError, exit);
        Assert.StartsWith("flow group fail: internal error: System.Collections.Generic.KeyNotFoundException: boom", error[0], StringComparison.Ordinal);
        Assert.True(error.Length > 1, "the stack trace follows for a bug");
    }

    [Fact]
    public async Task RunAsync_Cancelled_SaysSoWithExit130()
    {
        var (exit, error) = await RunAsync(Throwing(new OperationCanceledException()), "group", "fail");

        Assert.Equal(CliErrors.Cancelled, exit);
        Assert.Equal(["flow group fail: cancelled"], error);
    }

    [Fact]
    public void Describe_MissingExecutable_IsAUserError()
    {
        Assert.Equal("pocketsphinx_continuous not found", CliErrors.Describe(new AggregateException(new Win32Exception(2, "pocketsphinx_continuous not found"))));
    }

    [Fact]
    public void Describe_LooksThroughNestedWrappers()
    {
        var inner = new InvalidDataException("tx.csv: header lacks 'amount'");
        var wrapped = new AggregateException(new StageFailedException("csv", StagePhase.Open, null, new AggregateException(inner)));

        Assert.Same(inner, ErrorMessages.Cause(wrapped));
        Assert.Equal("tx.csv: header lacks 'amount'", CliErrors.Describe(wrapped));
    }

    [Fact]
    public void Describe_MultiLineMessage_KeepsTheFirstLine()
    {
        Assert.Equal("first", CliErrors.Describe(new IOException("first\nsecond")));
    }

    [Fact]
    public void Describe_TwoFailuresInOneAggregate_IsNotGuessed()
    {
        Assert.Null(CliErrors.Describe(new AggregateException(new IOException("a"), new IOException("b"))));
    }

    [Fact]
    public async Task FraudTrain_MissingCsv_OneLineNamingItAndExit2()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"flow-cli-{Guid.NewGuid():N}.csv");

        var (exit, error) = await RunAsync(FlowCli.CreateRoot(), "fraud", "train", "--csv", missing, "--out", Path.GetTempPath());

        Assert.Equal(CliErrors.UserError, exit);
        var line = Assert.Single(error);
        Assert.StartsWith("flow fraud train: ", line, StringComparison.Ordinal);
        Assert.Contains(missing, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--limit", "0", "--limit must be a positive integer")]
    [InlineData("--learning-rate", "0", "--learning-rate must be a positive number")]
    [InlineData("--learning-rate", "-1e-3", "--learning-rate must be a positive number")]
    public async Task TrainFashion_BadNumber_IsAParseErrorNamingTheOption(string option, string value, string message)
    {
        var (exit, error) = await RunAsync(FlowCli.CreateRoot(), "train", "fashion", option, value);

        Assert.NotEqual(0, exit);
        Assert.Contains(message, error);
    }

    [Fact]
    public async Task TrainFashion_MoreStagesThanLayers_OneLineAndExit2()
    {
        var (exitCode, lines) = await RunAsync(FlowCli.CreateRoot(), "train", "fashion", "--model", "mlp", "--pipeline-stages", "40", "--epochs", "1", "--limit", "64", "--out", Path.Combine(Path.GetTempPath(), $"flow-cli-{Guid.NewGuid():N}"));

        Assert.Equal(2, exitCode);
        Assert.Matches(@"^flow train fashion: --pipeline-stages 40 is more than the \d+ layers of the mlp$", Assert.Single(lines));
    }
}
