using System.CommandLine;
using Flow.Apps.FraudScore.Commands;
using Flow.Apps.SpeechRec;
using Flow.Apps.VideoDetect;
using Flow.Pipeline;

namespace Flow.Cli.Demo;

/// <summary><c>flow demo</c>: the main job on embedded defaults — no broker, camera or download needed.</summary>
internal static class DemoCommand
{
    /// <summary>The parts of the demo, in the order they run.</summary>
    private static readonly string[] Parts = ["pipeline", "fraud", "video", "speech"];

    public static Command Create()
    {
        var only = new Option<string[]>("--only") { Description = $"Run only these parts: {string.Join(", ", Parts)}", AllowMultipleArgumentsPerToken = true };
        only.AcceptOnlyFromAmong(Parts);
        var readings = new Option<int>("--readings") { Description = "Sensor readings in the core pipeline demo", DefaultValueFactory = _ => 300_000 };
        var view = new Option<LiveViewMode>("--view") { Description = "Live view: Auto (table on a terminal, lines otherwise), Table, Plain, ReportOnly", DefaultValueFactory = _ => LiveViewMode.Auto };
        var command = new Command("demo", "Run the main job on embedded defaults: the core pipeline demo with its live view, then each app's demo") { only, readings, view };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var selected = parse.GetValue(only) is { Length: > 0 } chosen ? chosen : Parts;
            var output = Console.Out;
            foreach (var part in Parts.Where(selected.Contains))
            {
                await output.WriteLineAsync($"== demo: {part} ==").ConfigureAwait(false);
                int code = part switch
                {
                    "pipeline" => await SensorDemo.RunAsync(parse.GetValue(readings), parse.GetValue(view), output, cancellationToken).ConfigureAwait(false),
                    "fraud" => await FraudCommands.RunDemoAsync(output, cancellationToken).ConfigureAwait(false),
                    "video" => await VideoCommands.RunDemoAsync(output, cancellationToken).ConfigureAwait(false),
                    "speech" => await SpeechCommands.RunDemoAsync(output, cancellationToken).ConfigureAwait(false),
                    _ => throw new InvalidOperationException($"unknown demo part '{part}'"),
                };
                if (code != 0)
                {
                    return code;
                }
            }

            return 0;
        });
        return command;
    }
}
