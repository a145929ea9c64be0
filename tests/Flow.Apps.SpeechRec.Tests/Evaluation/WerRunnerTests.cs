namespace Flow.Apps.SpeechRec.Tests.Evaluation;

/// <summary><c>flow speech wer</c>'s failures a user can fix: one line, exit code 1.</summary>
public sealed class WerRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flow-speech-wer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Exit, string Output, string Error)> RunAsync(WerSettings settings)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await WerRunner.RunAsync(settings, output, error, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task RunAsync_ClipFolderMissing_OneLineWithTheInstallHint()
    {
        string missing = Path.Combine(_dir, "no-such-folder");

        var (exit, output, error) = await RunAsync(new WerSettings { ClipDirectory = missing });

        Assert.Equal(1, exit);
        Assert.Equal($"flow speech wer: LibriVox clips not found at '{missing}' (apt-get install pocketsphinx-testdata, or run scripts/setup.sh)" + Environment.NewLine, error);
        Assert.Empty(output);
    }

    [Fact]
    public async Task RunAsync_TranscriptionNamesNoClipInTheFolder_OneLineNamingTheFile()
    {
        string transcription = Path.Combine(_dir, "transcription");
        await File.WriteAllTextAsync(transcription, "<s> hello world </s> (absent-clip)\n");

        var (exit, _, error) = await RunAsync(new WerSettings { ClipDirectory = _dir });

        Assert.Equal(1, exit);
        Assert.Equal($"flow speech wer: '{transcription}' names no clip present in '{_dir}' (lines like '<s> words </s> (file-id)' with file-id.wav beside it)" + Environment.NewLine, error);
    }

    [Fact]
    public async Task LoadClips_LinesThatGiveNoClip_AreReportedWithTheirLineNumber()
    {
        string transcription = Path.Combine(_dir, "transcription");
        await File.WriteAllTextAsync(Path.Combine(_dir, "present.wav"), "not read by Load");
        await File.WriteAllTextAsync(transcription, "<s> hello world </s> (present)\n\nno file id here\n<s> gone </s> (absent)\n");
        var skipped = new List<string>();

        var clips = LibriVoxClips.Load(_dir, skipped);

        Assert.Equal([(Path.Combine(_dir, "present.wav"), "hello world")], clips);
        Assert.Equal(
            [$"{transcription}:3: no '(file-id)' at the end of the line", $"{transcription}:4: '{Path.Combine(_dir, "absent.wav")}' not found"],
            skipped);
    }
}
