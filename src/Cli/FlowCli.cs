using System.CommandLine;
using System.CommandLine.Parsing;
using Flow.Apps.FraudScore.Commands;
using Flow.Apps.SpeechRec;
using Flow.Apps.VideoDetect;
using Flow.Cli.Demo;
using Flow.Cli.Train;

namespace Flow.Cli;

/// <summary>The <c>flow</c> command line: its commands, and one place where a failure becomes what the user sees.</summary>
internal static class FlowCli
{
    /// <summary>Creates the root command with every sub-command.</summary>
    /// <returns>The root command.</returns>
    public static RootCommand CreateRoot() => new("Flow: streaming neural-network jobs on TPL Dataflow — video detection, speech recognition, fraud scoring, training")
    {
        DemoCommand.Create(),
        VideoCommands.Create(),
        SpeechCommands.Create(),
        FraudCommands.Create(),
        FraudCommands.CreateKafkaDev(),
        TrainCommand.Create(),
    };

    /// <summary>
    /// Parses and runs <paramref name="args"/>. A failure the user can fix is one line, <c>flow &lt;command&gt;: &lt;cause&gt;</c>,
    /// on <paramref name="error"/> and exit code 2; an unexpected one (a bug) prints the whole exception and exits 70.
    /// </summary>
    /// <param name="root">The command tree.</param>
    /// <param name="args">The arguments.</param>
    /// <param name="error">Where parse errors and failures go.</param>
    /// <param name="cancellationToken">Stops the command.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(RootCommand root, string[] args, TextWriter error, CancellationToken cancellationToken = default)
    {
        ParseResult parse = root.Parse(args);
        try
        {
            // The default handler would print "Unhandled exception:" and a stack trace for a missing file.
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Error = error }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync($"{CommandPath(parse)}: cancelled").ConfigureAwait(false);
            return CliErrors.Cancelled;
        }
        catch (Exception ex) when (CliErrors.Describe(ex) is { } message)
        {
            await error.WriteLineAsync($"{CommandPath(parse)}: {message}").ConfigureAwait(false);
            return CliErrors.UserError;
        }
        catch (Exception ex)
        {
            await error.WriteLineAsync($"{CommandPath(parse)}: internal error: {ex}").ConfigureAwait(false);
            return CliErrors.InternalError;
        }
    }

    /// <summary>"flow fraud score" for the command that ran.</summary>
    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (CommandResult? result = parse.CommandResult; result is not null; result = result.Parent as CommandResult)
        {
            names.Add(result.Command is RootCommand ? "flow" : result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
