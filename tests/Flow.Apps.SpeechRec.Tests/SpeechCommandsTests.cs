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
}
