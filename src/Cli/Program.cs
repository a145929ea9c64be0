using Flow.Cli;

return await FlowCli.RunAsync(FlowCli.CreateRoot(), args, Console.Error);
