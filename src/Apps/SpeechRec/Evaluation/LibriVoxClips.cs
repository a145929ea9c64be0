namespace Flow.Apps.SpeechRec;

/// <summary>The LibriVox test clips and transcripts of Debian's <c>pocketsphinx-testdata</c>.</summary>
public static class LibriVoxClips
{
    /// <summary>Where <c>pocketsphinx-testdata</c> installs the clips.</summary>
    public const string DefaultDirectory = "/usr/share/pocketsphinx/test/data/librivox";

    /// <summary>Reads the clips and their reference transcripts from the folder's <c>transcription</c> file.</summary>
    /// <param name="directory">The folder; <see langword="null"/> for <see cref="DefaultDirectory"/>.</param>
    /// <param name="skipped">Receives one line per transcription line that gives no clip (<c>file:LINE: reason</c>): a line
    /// without a <c>(file-id)</c>, or a file-id with no WAV beside it. Blank lines are not reported.</param>
    /// <returns>(WAV path, reference text) pairs, in file-name order.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder or its transcription file is missing.</exception>
    /// <exception cref="InvalidDataException">The transcription file names no clip that is in the folder.</exception>
    public static IReadOnlyList<(string Path, string Reference)> Load(string? directory = null, ICollection<string>? skipped = null)
    {
        directory ??= DefaultDirectory;
        string transcription = Path.Combine(directory, "transcription");
        if (!File.Exists(transcription))
        {
            throw new DirectoryNotFoundException($"LibriVox clips not found at '{directory}' (apt-get install pocketsphinx-testdata, or run scripts/setup.sh)");
        }

        var clips = new List<(string, string)>();
        string[] lines = File.ReadAllLines(transcription);
        for (int number = 1; number <= lines.Length; number++)
        {
            // "<s> words </s> (file-id)"
            string line = lines[number - 1];
            int open = line.LastIndexOf('(');
            int close = line.LastIndexOf(')');
            if (open < 0 || close < open)
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    skipped?.Add($"{transcription}:{number}: no '(file-id)' at the end of the line");
                }

                continue;
            }

            string id = line[(open + 1)..close].Trim();
            string text = line[..open].Replace("<s>", " ", StringComparison.Ordinal).Replace("</s>", " ", StringComparison.Ordinal);
            string wav = Path.Combine(directory, id + ".wav");
            if (File.Exists(wav))
            {
                clips.Add((wav, string.Join(' ', WordErrorRate.Words(text))));
            }
            else
            {
                skipped?.Add($"{transcription}:{number}: '{wav}' not found");
            }
        }

        if (clips.Count == 0)
        {
            throw new InvalidDataException($"'{transcription}' names no clip present in '{directory}' (lines like '<s> words </s> (file-id)' with file-id.wav beside it)");
        }

        return [.. clips.OrderBy(c => c.Item1, StringComparer.Ordinal)];
    }
}
