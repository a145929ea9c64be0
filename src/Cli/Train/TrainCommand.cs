using System.CommandLine;

namespace Flow.Cli.Train;

/// <summary>The <c>flow train</c> command group.</summary>
internal static class TrainCommand
{
    /// <summary>Creates <c>train</c> with its sub-commands (<c>fashion</c>).</summary>
    /// <returns>The command, ready to add to the root command.</returns>
    public static Command Create()
    {
        var command = new Command("train", "Train Flow.Neural networks");
        command.Subcommands.Add(TrainFashionCommand.Create());
        return command;
    }
}
