using System.Diagnostics;
using System.Globalization;
using Flow.Stages.Audio;

namespace Flow.Apps.SpeechRec;

/// <summary>Speaks a word with the <c>espeak-ng</c> command-line tool and reads it back as 16 kHz mono (NAudio resampling).</summary>
internal static class EspeakSynthesizer
{
    /// <summary>The program run when no other is given: <c>espeak-ng</c>, looked up on PATH.</summary>
    public const string DefaultProgram = "espeak-ng";

    /// <summary>English accents (espeak-ng's gmw voices shipped by Debian's espeak-ng-data).</summary>
    public static IReadOnlyList<string> Accents { get; } = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-029"];

    /// <summary>Voice variants (espeak-ng-data/voices/!v), without the ones that are not speech-like (whisper, robots, effects).</summary>
    public static IReadOnlyList<string> Variants { get; } =
    [
        "adam", "Alex", "Alicia", "Andrea", "Andy", "Annie", "antonio", "aunty", "belinda", "benjamin", "boris", "caleb",
        "david", "Denis", "Diogo", "ed", "edward", "edward2", "Gene", "Gene2", "gustave", "Henrique", "Hugo", "iven",
        "iven2", "iven3", "iven4", "Jacky", "john", "kaukovalta", "Lee", "linda", "marcelo", "Marco", "Mario", "max",
        "Michael", "michel", "miguel", "Mike", "Mr", "Nguyen", "pablo", "paul", "pedro", "quincy", "rob", "robert",
        "steph", "steph2", "steph3", "zac", "anika", "f1", "f2", "f3", "f4", "f5", "grandpa", "grandma", "klatt",
        "klatt2", "klatt3", "klatt4", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "norbert", "sandro", "shelby",
        "travis", "victor",
    ];

    /// <summary>
    /// Runs <c>program --version</c> once, so a missing tool is reported before a synthesis pipeline starts (inside
    /// the pipeline the failure would arrive wrapped in a stage failure, once per worker).
    /// </summary>
    /// <exception cref="ExternalToolException">The program cannot be started or does not answer <c>--version</c>.</exception>
    public static void EnsureAvailable(string program = DefaultProgram)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("--version");
        try
        {
            using Process process = Process.Start(start)!; // never null without shell execution: a missing binary throws
            process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new ExternalToolException($"'{program} --version' failed (exit code {process.ExitCode}): {error.Trim()}");
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw ExternalToolException.NotFound(program, DefaultProgram, "espeak-ng", e);
        }
    }

    /// <exception cref="ExternalToolException">The program cannot be started, or it failed on this word or voice.</exception>
    public static float[] Speak(string word, string accent, string variant, int wordsPerMinute, int pitch, string workDirectory, string program = DefaultProgram)
    {
        string path = Path.Combine(workDirectory, $"{Guid.NewGuid():N}.wav");
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { "-v", $"{accent}+{variant}", "-s", wordsPerMinute.ToString(CultureInfo.InvariantCulture), "-p", pitch.ToString(CultureInfo.InvariantCulture), "-w", path, word })
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using Process process = Process.Start(start)!; // never null without shell execution: a missing binary throws
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(path))
            {
                throw new ExternalToolException($"espeak-ng -v {accent}+{variant} '{word}' failed (exit code {process.ExitCode}): {error.Trim()}");
            }

            return WavAudio.ReadMono16k(path);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw ExternalToolException.NotFound(program, DefaultProgram, "espeak-ng", e);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
