namespace Flow.Cli.Train;

/// <summary>The validated options of one <c>flow train fashion</c> run.</summary>
internal sealed record FashionTrainingSettings
{
    public required string Model { get; init; }

    public required int Epochs { get; init; }

    public required int BatchSize { get; init; }

    public required int DataParallel { get; init; }

    public required int PipelineStages { get; init; }

    public required int MicroBatches { get; init; }

    public required int NeuronParallel { get; init; }

    public required int ShuffleBuffer { get; init; }

    public required int Seed { get; init; }

    public required float LearningRate { get; init; }

    public int? Limit { get; init; }

    public required string DataDirectory { get; init; }

    public required string OutputDirectory { get; init; }
}
