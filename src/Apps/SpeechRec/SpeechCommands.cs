using System.CommandLine;
using System.Globalization;
using Flow.Stages.Audio;

namespace Flow.Apps.SpeechRec;

/// <summary>
/// The <c>flow speech</c> command family: live recognition of WAV files, folders or raw PCM on stdin,
/// <c>train-keywords</c> for the keyword network, <c>wer</c> for the comparison with Debian's
/// <c>pocketsphinx_continuous</c>; and the speech part of the main-job demo.
/// </summary>
public static class SpeechCommands
{
    /// <summary>Creates the <c>speech</c> command with its subcommands.</summary>
    /// <returns>The command, ready to add to the root command.</returns>
    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Description = "WAV files (any rate/channels) or folders of .wav files", Arity = ArgumentArity.ZeroOrMore };
        var stdin = new Option<bool>("--stdin") { Description = "Read raw signed 16-bit little-endian 16 kHz mono PCM from standard input (e.g. arecord -f S16_LE -r 16000 -c 1)" };
        var realtime = new Option<bool>("--realtime") { Description = "Release audio at real time, to simulate live input from files" };
        Option<int> decoders = PositiveInt("--decoders", "PocketSphinx decoders working on different utterances in parallel", 2);
        var format = new Option<string>("--format") { Description = "Output: json (one JSON object per line) or text", DefaultValueFactory = _ => "json" };
        format.AcceptOnlyFromAmong("json", "text");
        var partials = new Option<bool>("--partials") { Description = "Print partial hypotheses while decoding (live 100 ms feeding; the running cepstral mean of each decoder then carries across utterances)" };
        var keywords = new Option<string?>("--keywords") { Description = "Keyword model from 'flow speech train-keywords' (e.g. runs/keywords/keywords.model); adds the keyword branch" };
        var vadModel = new Option<string?>("--vad-model") { Description = $"Silero VAD v5 ONNX model (default {SileroVadOptions.DefaultModelPath})" };
        var streaming = new Option<bool>("--streaming") { Description = "Decode while each utterance is spoken (one streaming decoder; final text as soon as the utterance ends) instead of a pool of decoders" };
        var liveView = new Option<bool>("--live-view") { Description = "Show the pipeline's live view (stage rates, queues, busy share) on stderr while it runs" };
        var noReport = new Option<bool>("--no-report") { Description = "Do not print the end-of-run report (stderr for json, stdout for text)" };

        var command = new Command("speech", "Live speech recognition: Silero VAD → utterances → PocketSphinx decoder pool (+ keyword network)")
        {
            inputs, stdin, realtime, decoders, format, partials, keywords, vadModel, streaming, liveView, noReport,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(stdin) && result.GetValue(inputs) is { Length: > 0 })
            {
                result.AddError("give either --stdin or input files, not both");
            }

            if (result.GetValue(streaming) && result.GetValue(keywords) is not null)
            {
                result.AddError("--streaming has no keyword branch; drop --keywords or --streaming");
            }
        });
        command.SetAction((parse, cancellationToken) => SpeechRunner.RunAsync(
            new SpeechRunSettings
            {
                Inputs = parse.GetValue(inputs) ?? [],
                Stdin = parse.GetValue(stdin),
                Realtime = parse.GetValue(realtime),
                Decoders = parse.GetValue(decoders),
                Format = parse.GetValue(format) == "text" ? SpeechOutputFormat.Text : SpeechOutputFormat.Json,
                Partials = parse.GetValue(partials),
                KeywordModel = parse.GetValue(keywords),
                VadModel = parse.GetValue(vadModel),
                Report = !parse.GetValue(noReport),
                LiveView = parse.GetValue(liveView),
                Streaming = parse.GetValue(streaming),
            },
            Console.OpenStandardInput(),
            Console.Out,
            Console.Error,
            cancellationToken));

        command.Subcommands.Add(CreateTrainKeywords());
        command.Subcommands.Add(CreateWer());
        return command;
    }

    /// <summary>
    /// The speech part of the main-job demo: the five LibriVox clips of Debian's <c>pocketsphinx-testdata</c>
    /// through the full pipeline (VAD, segmenter, two decoders) with partial and final lines, the WER
    /// against the reference transcripts and the pipeline report. Takes a few seconds on 2 cores.
    /// </summary>
    /// <param name="output">Where to print.</param>
    /// <param name="cancellationToken">Stops the demo.</param>
    /// <returns>0 on success; 1 when the models or clips are missing (the message says what to install).</returns>
    public static async Task<int> RunDemoAsync(TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        IReadOnlyList<(string Path, string Reference)> clips;
        try
        {
            clips = LibriVoxClips.Load();
        }
        catch (DirectoryNotFoundException e)
        {
            await output.WriteLineAsync($"speech demo: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        await output.WriteLineAsync($"speech demo: {clips.Count} LibriVox clips → Silero VAD → segmenter → 2 PocketSphinx decoders").ConfigureAwait(false);
        var writer = new SpeechEventWriter(output, SpeechOutputFormat.Text);
        try
        {
            var options = new SpeechRecognitionOptions { Decoders = 2, PartialResults = true };
            (SpeechEvaluation.Outcome outcome, SpeechJob job, Flow.Pipeline.PipelineResult result) =
                await SpeechEvaluation.RunFlowAsync(clips, options, writer.Write, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(SpeechRunner.FormatReport(job, result, new SpeechRunSettings { Decoders = 2 })).ConfigureAwait(false);
            await output.WriteLineAsync(SpeechEvaluation.Format(outcome)).ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is FileNotFoundException or DllNotFoundException || e.InnerException is FileNotFoundException or DllNotFoundException)
        {
            await output.WriteLineAsync($"speech demo: {(e.InnerException ?? e).Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static Command CreateTrainKeywords()
    {
        var output = new Option<string>("--out") { Description = "Folder for keywords.model, keywords.labels, the confusion matrix PNG and the metrics", DefaultValueFactory = _ => "runs/keywords" };
        Option<int> epochs = PositiveInt("--epochs", "Passes over the synthesised training set", 12);
        Option<int> copies = PositiveInt("--augment", "Augmented copies (noise, gain, time shift) of each synthesised clip", 2);
        Option<int> seed = PositiveInt("--seed", "Seed for synthesis choices, augmentation, initialisation and shuffling", 1);
        var quick = new Option<bool>("--quick") { Description = "A small set of voices and settings (a smoke run, not the accuracy run)" };
        var cache = new Option<string?>("--cache") { Description = "Folder to keep the synthesised features in; a rerun with the same plan skips espeak-ng" };
        var command = new Command("train-keywords", "Synthesise the command words with espeak-ng across voices, augment, train the Flow.Neural keyword network, test on held-out voices")
        {
            output, epochs, copies, seed, quick, cache,
        };
        command.SetAction((parse, cancellationToken) => KeywordTraining.RunAsync(
            new KeywordTrainingSettings
            {
                OutputDirectory = parse.GetValue(output)!,
                Epochs = parse.GetValue(epochs),
                AugmentedCopies = parse.GetValue(copies),
                Seed = parse.GetValue(seed),
                Quick = parse.GetValue(quick),
                CacheDirectory = parse.GetValue(cache),
            },
            Console.Out,
            Console.Error,
            cancellationToken));
        return command;
    }

    private static Command CreateWer()
    {
        var directory = new Option<string>("--clips") { Description = "Folder with the clips and their 'transcription' file", DefaultValueFactory = _ => LibriVoxClips.DefaultDirectory };
        Option<int> decoders = PositiveInt("--decoders", "PocketSphinx decoders in Flow's pool", 2);
        var live = new Option<bool>("--partials") { Description = "Decode in live mode (100 ms feeds, partial hypotheses) instead of whole utterances" };
        var noCli = new Option<bool>("--no-cli") { Description = "Skip the peers (Debian's pocketsphinx_continuous and pocketsphinx_batch)" };
        var command = new Command("wer", "Word error rate and real-time factor of Flow's pipeline and of Debian's pocketsphinx_continuous and pocketsphinx_batch on the LibriVox clips")
        {
            directory, decoders, live, noCli,
        };
        command.SetAction((parse, cancellationToken) => WerRunner.RunAsync(
            new WerSettings
            {
                ClipDirectory = parse.GetValue(directory)!,
                Decoders = parse.GetValue(decoders),
                Partials = parse.GetValue(live),
                Peers = !parse.GetValue(noCli),
            },
            Console.Out,
            Console.Error,
            cancellationToken));
        return command;
    }

    private static Option<int> PositiveInt(string name, string description, int defaultValue)
    {
        var option = new Option<int>(name) { Description = $"{description} (default {defaultValue.ToString(CultureInfo.InvariantCulture)})", DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError($"{name} must be positive");
            }
        });
        return option;
    }
}
