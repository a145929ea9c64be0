namespace Flow.Apps.SpeechRec;

/// <summary>The LibriVox test clips and transcripts of Debian's <c>pocketsphinx-testdata</c>.</summary>
public static class LibriVoxClips
{
    /// <summary>Where <c>pocketsphinx-testdata</c> installs the clips.</summary>
    public const string DefaultDirectory = "/usr/share/pocketsphinx/test/data/librivox";

    /// <summary>Reads the clips and their reference transcripts from the folder's <c>transcription</c> file.</summary>
    /// <param name="directory">The folder; <see langword="null"/> for <see cref="DefaultDirectory"/>.</param>
    /// <returns>(WAV path, reference text) pairs, in file-name order.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder or its transcription file is missing.</exception>
    /// <exception cref="InvalidDataException">The transcription file names no clip that is in the folder.</exception>
    public static IReadOnlyList<(string Path, string Reference)> Load(string? directory = null)
    {
        directory ??= DefaultDirectory;
        string transcription = Path.Combine(directory, "transcription");
        if (!File.Exists(transcription))
        {
            throw new DirectoryNotFoundException($"LibriVox clips not found at '{directory}' (apt-get install pocketsphinx-testdata, or run scripts/setup.sh)");
        }

        var clips = new List<(string, string)>();
        foreach (string line in File.ReadAllLines(transcription))
        {
            // "<s> words </s> (file-id)"
            int open = line.LastIndexOf('(');
            int close = line.LastIndexOf(')');
            if (open < 0 || close < open)
            {
                continue;
            }

            string id = line[(open + 1)..close].Trim();
            string text = line[..open].Replace("<s>", " ", StringComparison.Ordinal).Replace("</s>", " ", StringComparison.Ordinal);
            string wav = Path.Combine(directory, id + ".wav");
            if (File.Exists(wav))
            {
                clips.Add((wav, string.Join(' ', WordErrorRate.Words(text))));
            }
        }

        if (clips.Count == 0)
        {
            throw new InvalidDataException($"'{transcription}' names no clip present in '{directory}' (lines like '<s> words </s> (file-id)' with file-id.wav beside it)");
        }

        return [.. clips.OrderBy(c => c.Item1, StringComparer.Ordinal)];
    }
}
