using System.CommandLine;

namespace Flow.Apps.SpeechRec.Tests;

public sealed class SpeechCommandsTests
{
    [Fact]
    public void Create_HasSubcommandsAndOptions()
    {
        Command speech = SpeechCommands.Create();

        Assert.Equal("speech", speech.Name);
        Assert.Contains(speech.Subcommands, c => c.Name == "train-keywords");
        Assert.Contains(speech.Subcommands, c => c.Name == "wer");
        Assert.Contains(speech.Options, o => o.Name == "--stdin");
        Assert.Contains(speech.Options, o => o.Name == "--realtime");
        Assert.Contains(speech.Options, o => o.Name == "--decoders");
    }

    [Theory]
    [InlineData("--stdin a.wav")]
    [InlineData("--decoders 0")]
    [InlineData("--format xml")]
    public void Parse_InvalidCombinations_Errors(string args)
    {
        var root = new RootCommand { SpeechCommands.Create() };

        ParseResult result = root.Parse("speech " + args);

        Assert.NotEmpty(result.Errors);
    }

    [Fact]
    public void Parse_FolderWithOptions_NoErrors()
    {
        var root = new RootCommand { SpeechCommands.Create() };

        ParseResult result = root.Parse("speech /tmp/clips --realtime --decoders 2 --format text");

        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Describe_UserFixableCauseInsideAStage_IsItsMessage()
    {
        var failure = new Flow.Pipeline.StageFailedException("recognize", Flow.Pipeline.StagePhase.Open, null, new FileNotFoundException("acoustic model 'x' not found"));

        Assert.Equal("acoustic model 'x' not found", SpeechRunner.Describe(failure));
    }

    [Fact]
    public void Describe_Bug_IsNotTurnedIntoOneLine()
    {
        var failure = new Flow.Pipeline.StageFailedException("recognize", Flow.Pipeline.StagePhase.Process, 3, new KeyNotFoundException("boom"));

        Assert.Null(SpeechRunner.Describe(failure));
        Assert.Null(SpeechRunner.Describe(new OperationCanceledException()));
    }
}
