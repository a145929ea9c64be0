using Flow.Pipeline;

namespace Flow.Apps.SpeechRec;

/// <summary>
/// Builds keyword examples: espeak-ng speaks each word with a voice (accent + variant), a random speed
/// and pitch; augmented copies add white noise (10–30 dB SNR), a gain (0.3–1.5) and a time shift
/// (±100 ms); NWaves log-mel features. Synthesis runs as a Flow pipeline with one worker per core.
/// </summary>
internal static class KeywordDataset
{
    /// <summary>Changes whenever the feature computation changes, so cached sets are rebuilt.</summary>
    private const string FeatureVersion = "logmel40x98-centred-v1";

    internal sealed record Request(string Word, int Label, string Accent, string Variant, int Speed, int Pitch, int Copies, int Seed);

    /// <summary>Splits variants into training and held-out sets: every <paramref name="holdOutEvery"/>-th variant is held out.</summary>
    public static (IReadOnlyList<string> Train, IReadOnlyList<string> Test) SplitVariants(IReadOnlyList<string> variants, int holdOutEvery)
    {
        var train = new List<string>();
        var test = new List<string>();
        for (int i = 0; i < variants.Count; i++)
        {
            (i % holdOutEvery == holdOutEvery - 1 ? test : train).Add(variants[i]);
        }

        return (train, test);
    }

    /// <summary>One request per word × variant × accents chosen for it (all when <paramref name="accentsPerVariant"/> ≥ the number of accents).</summary>
    public static List<Request> Plan(IReadOnlyList<string> words, IReadOnlyList<string> variants, IReadOnlyList<string> accents, int accentsPerVariant, int copies, int seed)
    {
        var random = new Random(seed);
        var requests = new List<Request>();
        foreach (string variant in variants)
        {
            string[] chosen = [.. accents.OrderBy(_ => random.Next()).Take(accentsPerVariant)];
            foreach (string accent in chosen)
            {
                for (int w = 0; w < words.Count; w++)
                {
                    requests.Add(new Request(words[w], w, accent, variant, random.Next(120, 221), random.Next(20, 81), copies, random.Next()));
                }
            }
        }

        return requests;
    }

    /// <summary>
    /// Synthesises and featurises the requests (each yields 1 + copies examples); with a cache folder, a
    /// set built before from the same requests is read back instead (and <paramref name="synthesizer"/> is not needed).
    /// </summary>
    /// <exception cref="ExternalToolException">The synthesizer is missing (checked before the pipeline starts).</exception>
    /// <exception cref="InvalidDataException">The cached set is damaged (the message names the file).</exception>
    /// <exception cref="StageFailedException">Synthesis failed on a request; the inner exception says why (an <see cref="ExternalToolException"/> for espeak-ng).</exception>
    public static async Task<List<KeywordExample>> BuildAsync(
        IReadOnlyList<Request> requests, CancellationToken cancellationToken, string? cacheDirectory = null, string synthesizer = EspeakSynthesizer.DefaultProgram)
    {
        string? cacheFile = null;
        if (cacheDirectory is not null)
        {
            byte[] key = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(FeatureVersion + string.Join('\n', requests)));
            cacheFile = Path.Combine(cacheDirectory, $"keywords-{Convert.ToHexString(key)[..16]}.bin");
            if (File.Exists(cacheFile))
            {
                return ReadCache(cacheFile);
            }
        }

        List<KeywordExample> built = await SynthesiseAsync(requests, synthesizer, cancellationToken).ConfigureAwait(false);
        if (cacheFile is not null)
        {
            Directory.CreateDirectory(cacheDirectory!);
            WriteCache(cacheFile, built);
        }

        return built;
    }

    /// <exception cref="InvalidDataException">The file is cut short or not a cache this code wrote (names the file).</exception>
    private static List<KeywordExample> ReadCache(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        long length = reader.BaseStream.Length;
        int featureBytes = KeywordFeatures.Length * sizeof(float);
        try
        {
            int count = reader.ReadInt32();
            if (count < 0 || (long)count * featureBytes > length)
            {
                throw Damaged(path, $"it declares {count} examples but holds {length} bytes");
            }

            var examples = new List<KeywordExample>(count);
            for (int i = 0; i < count; i++)
            {
                int label = reader.ReadInt32();
                string voice = reader.ReadString();
                var features = new float[KeywordFeatures.Length];
                if (reader.Read(System.Runtime.InteropServices.MemoryMarshal.AsBytes(features.AsSpan())) != featureBytes)
                {
                    throw Damaged(path, $"it ends inside example {i} of {count}");
                }

                examples.Add(new KeywordExample(features, label, voice));
            }

            return examples;
        }
        catch (EndOfStreamException)
        {
            throw Damaged(path, "it ends early");
        }
    }

    private static InvalidDataException Damaged(string path, string cause) =>
        new($"keyword cache '{path}' is damaged ({cause}): delete it and run again to synthesise the set anew");

    private static void WriteCache(string path, List<KeywordExample> examples)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(examples.Count);
        foreach (KeywordExample e in examples)
        {
            writer.Write(e.Label);
            writer.Write(e.Voice);
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(e.Features.AsSpan()));
        }
    }

    private static async Task<List<KeywordExample>> SynthesiseAsync(IReadOnlyList<Request> requests, string synthesizer, CancellationToken cancellationToken)
    {
        EspeakSynthesizer.EnsureAvailable(synthesizer);
        string work = Directory.CreateTempSubdirectory("flow-keywords-").FullName;
        try
        {
            var builder = new PipelineBuilder(new PipelineOptions { Name = "keyword-synthesis" });
            CollectedItems<KeywordExample[]> collected = builder.From(requests, "requests")
                .Then(() => new SynthesisStage(work, synthesizer), new StageOptions { Name = "espeak+features", MaxDegreeOfParallelism = Environment.ProcessorCount, BoundedCapacity = 64 })
                .Collect();
            await builder.Build().RunAsync(cancellationToken).ConfigureAwait(false);
            return [.. collected.Items.SelectMany(e => e)];
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>One worker: its own feature extractor (NWaves is not thread-safe).</summary>
    private sealed class SynthesisStage(string work, string synthesizer) : Stage<Request, KeywordExample[]>
    {
        private readonly KeywordFeatures _features = new();

        public override ValueTask<KeywordExample[]> ProcessAsync(Request r, CancellationToken cancellationToken)
        {
            float[] speech = EspeakSynthesizer.Speak(r.Word, r.Accent, r.Variant, r.Speed, r.Pitch, work, synthesizer);
            var random = new Random(r.Seed);
            string voice = $"{r.Accent}+{r.Variant}";
            var examples = new KeywordExample[1 + r.Copies];
            examples[0] = new KeywordExample(Featurise(KeywordFeatures.Window(speech)), r.Label, voice);
            for (int c = 1; c <= r.Copies; c++)
            {
                int shift = random.Next(-1600, 1601);
                float[] window = KeywordFeatures.Window(speech, shift);
                Augment(window, random);
                examples[c] = new KeywordExample(Featurise(window), r.Label, voice);
            }

            return ValueTask.FromResult(examples);
        }

        private float[] Featurise(float[] window)
        {
            var features = new float[KeywordFeatures.Length];
            _features.Compute(window, features);
            return features;
        }

        private static void Augment(float[] window, Random random)
        {
            double power = 0;
            foreach (float v in window)
            {
                power += v * v;
            }

            power /= window.Length;
            float gain = 0.3f + (1.2f * random.NextSingle());
            double snrDb = 10 + (20 * random.NextDouble());
            float noise = (float)Math.Sqrt(3 * power / Math.Pow(10, snrDb / 10)); // uniform noise: variance a²/3
            for (int i = 0; i < window.Length; i++)
            {
                window[i] = gain * (window[i] + (noise * ((2 * random.NextSingle()) - 1)));
            }
        }
    }
}
