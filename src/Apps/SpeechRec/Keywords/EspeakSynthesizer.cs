using System.Diagnostics;
using System.Globalization;
using Flow.Stages.Audio;

namespace Flow.Apps.SpeechRec;

/// <summary>Speaks a word with the <c>espeak-ng</c> command-line tool and reads it back as 16 kHz mono (NAudio resampling).</summary>
internal static class EspeakSynthesizer
{
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

    public static float[] Speak(string word, string accent, string variant, int wordsPerMinute, int pitch, string workDirectory)
    {
        string path = Path.Combine(workDirectory, $"{Guid.NewGuid():N}.wav");
        var start = new ProcessStartInfo("espeak-ng") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { "-v", $"{accent}+{variant}", "-s", wordsPerMinute.ToString(CultureInfo.InvariantCulture), "-p", pitch.ToString(CultureInfo.InvariantCulture), "-w", path, word })
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start espeak-ng (apt-get install espeak-ng)");
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(path))
            {
                throw new InvalidOperationException($"espeak-ng -v {accent}+{variant} '{word}' failed ({process.ExitCode}): {error.Trim()}");
            }

            return WavAudio.ReadMono16k(path);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("espeak-ng not found (apt-get install espeak-ng, or run scripts/setup.sh)", e);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
