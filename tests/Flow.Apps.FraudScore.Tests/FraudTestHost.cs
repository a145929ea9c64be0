using System.CommandLine;
using Flow.Apps.FraudScore.Commands;

namespace Flow.Apps.FraudScore.Tests;

/// <summary>
/// Entry point of the test assembly when it runs as a process: <c>dotnet Flow.Apps.FraudScore.Tests.dll fraud …</c>
/// runs the real <c>fraud</c> command, so process-level tests (SIGKILL, two consumers) need no other build.
/// </summary>
public static class FraudTestHost
{
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("fraud test host") { FraudCommands.Create() };
        return root.Parse(args).InvokeAsync();
    }
}
