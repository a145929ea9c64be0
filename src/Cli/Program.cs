using System.CommandLine;
using Flow.Apps.FraudScore.Commands;
using Flow.Apps.SpeechRec;
using Flow.Apps.VideoDetect;
using Flow.Cli.Demo;
using Flow.Cli.Train;

var root = new RootCommand("Flow: streaming neural-network jobs on TPL Dataflow — video detection, speech recognition, fraud scoring, training")
{
    DemoCommand.Create(),
    VideoCommands.Create(),
    SpeechCommands.Create(),
    FraudCommands.Create(),
    FraudCommands.CreateKafkaDev(),
    TrainCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
