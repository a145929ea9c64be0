using System.Globalization;
using Flow.Neural;
using Flow.Pipeline;
using Flow.Stages.Audio;

namespace Flow.Apps.SpeechRec;

/// <summary>Runs <c>flow speech wer</c>: the clips through Flow's pipeline and the peers, the table on the output, a failure as one line.</summary>
internal static class WerRunner
{
    /// <returns>0 when every system ran; 1 when the clips, models or a peer tool are missing (the line says which and what to install).</returns>
    public static async Task<int> RunAsync(WerSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            var skipped = new List<string>();
            IReadOnlyList<(string Path, string Reference)> clips = LibriVoxClips.Load(settings.ClipDirectory, skipped);
            foreach (string line in skipped)
            {
                // The WER is over the clips that are there; a reference that names a missing clip is said, not dropped silently.
                await error.WriteLineAsync($"flow speech wer: skipped {line}").ConfigureAwait(false);
            }
            var options = new SpeechRecognitionOptions { Decoders = settings.Decoders, PartialResults = settings.Partials };
            (SpeechEvaluation.Outcome flow, _, _) = await SpeechEvaluation.RunFlowAsync(clips, options, null, cancellationToken).ConfigureAwait(false);
            var outcomes = new List<SpeechEvaluation.Outcome> { flow };
            if (settings.Peers)
            {
                outcomes.Add(await SpeechEvaluation.RunCliAsync(clips, options.Recognizer, cancellationToken, settings.ContinuousProgram).ConfigureAwait(false));
                outcomes.Add(await SpeechEvaluation.RunBatchAsync(clips, options.Recognizer, cancellationToken, settings.BatchProgram).ConfigureAwait(false));
            }

            await output.WriteAsync(SpeechEvaluation.FormatClips(clips, [.. outcomes])).ConfigureAwait(false);
            foreach (SpeechEvaluation.Outcome o in outcomes)
            {
                await output.WriteLineAsync(SpeechEvaluation.Format(o)).ConfigureAwait(false);
            }

            foreach (SpeechEvaluation.Outcome peer in outcomes.Skip(1))
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"flow vs {peer.System}: WER difference {(flow.Wer - peer.Wer) * 100:+0.0;-0.0;0.0} points, throughput {peer.WallSeconds / flow.WallSeconds:F2}x (wall-clock ratio, same run)")).ConfigureAwait(false);
            }

            return 0;
        }
        catch (Exception e) when (Describe(e) is { } message)
        {
            await error.WriteLineAsync($"flow speech wer: {message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>The one line for what a user can fix (missing clips, models, native library, peer tool, a bad clip); null for bugs.</summary>
    private static string? Describe(Exception e)
    {
        Exception root = ErrorMessages.Cause(e);
        return root is DirectoryNotFoundException or InvalidDataException or ExternalToolException or AudioInputException
            or FileNotFoundException or DllNotFoundException or ModelFormatException
            ? ErrorMessages.OneLine(root)
            : null;
    }
}
