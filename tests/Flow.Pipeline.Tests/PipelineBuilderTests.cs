namespace Flow.Pipeline.Tests;

public class PipelineBuilderTests
{
    [Fact]
    public void Build_UnconnectedOutput_ThrowsNamingStage()
    {
        var builder = new PipelineBuilder();
        builder.From([1, 2, 3], "numbers").Then(x => x + 1, new StageOptions { Name = "inc" });

        var error = Assert.Throws<PipelineValidationException>(builder.Build);

        Assert.Equal("inc", error.StageName);
        Assert.Contains("stage 'inc'", error.Message, StringComparison.Ordinal);
        Assert.Contains("not connected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_OutputUsedTwice_ThrowsNamingStage()
    {
        var builder = new PipelineBuilder();
        var numbers = builder.From([1, 2, 3], "numbers");
        numbers.To(_ => { });
        numbers.To(_ => { }, new StageOptions { Name = "second" });

        var error = Assert.Throws<PipelineValidationException>(builder.Build);

        Assert.Equal("numbers", error.StageName);
        Assert.Contains("used twice", error.Message, StringComparison.Ordinal);
        Assert.Contains("Broadcast", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SameStageInstanceTwice_ThrowsNamingSecondStage()
    {
        var builder = new PipelineBuilder();
        var stage = new AddOneStage();
        builder.From([1, 2, 3]).Then(stage, new StageOptions { Name = "first" }).Then(stage, new StageOptions { Name = "again" }).To(_ => { });

        var error = Assert.Throws<PipelineValidationException>(builder.Build);

        Assert.Equal("again", error.StageName);
        Assert.Contains("'first'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_DuplicateNames_Throws()
    {
        var builder = new PipelineBuilder();
        builder.From([1], "dup").Then(x => x, new StageOptions { Name = "dup" }).To(_ => { });

        var error = Assert.Throws<PipelineValidationException>(builder.Build);

        Assert.Equal("dup", error.StageName);
    }

    [Fact]
    public void Build_NoSource_Throws()
    {
        var error = Assert.Throws<PipelineValidationException>(new PipelineBuilder().Build);

        Assert.Null(error.StageName);
        Assert.Contains("no source", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_Twice_Throws()
    {
        var builder = new PipelineBuilder();
        builder.From([1]).To(_ => { });
        builder.Build();

        Assert.Throws<InvalidOperationException>(builder.Build);
        Assert.Throws<InvalidOperationException>(() => builder.From([2]));
    }

    [Fact]
    public void Build_HandleFromAnotherBuilder_Throws()
    {
        var other = new PipelineBuilder().From([1], "elsewhere");
        var builder = new PipelineBuilder();
        var mine = builder.From([1], "mine");
        builder.Merge(new StageOptions { Name = "merge" }, mine, other).To(_ => { });

        var error = Assert.Throws<PipelineValidationException>(builder.Build);

        Assert.Equal("merge", error.StageName);
        Assert.Contains("another builder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_UnconnectedBranchOfBroadcast_ThrowsNamingPort()
    {
        var builder = new PipelineBuilder();
        var branches = builder.From([1, 2]).Broadcast(2, new StageOptions { Name = "fan" });
        branches[0].To(_ => { });

        var error = Assert.Throws<PipelineValidationException>(builder.Build);

        Assert.Equal("fan", error.StageName);
        Assert.Contains("output 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SheddingOnBatch_Throws()
    {
        var builder = new PipelineBuilder();
        builder.From([1]).Batch(4, options: new StageOptions { Name = "b", FullMode = FullMode.LatestOnly }).To(_ => { });

        var error = Assert.Throws<PipelineValidationException>(builder.Build);

        Assert.Equal("b", error.StageName);
    }

    [Fact]
    public async Task Run_Twice_Throws()
    {
        var builder = new PipelineBuilder();
        builder.From([1]).To(_ => { });
        var pipeline = builder.Build();
        await pipeline.RunAsync().WaitAsync(TestSources.Timeout);

        Assert.Throws<InvalidOperationException>(() => pipeline.Start());
    }

    [Fact]
    public void ToMermaid_ListsStagesEdgesAndOptions()
    {
        var builder = new PipelineBuilder();
        builder.From([1, 2], "numbers")
            .Then(x => x * 2, new StageOptions { Name = "double", MaxDegreeOfParallelism = 4, BoundedCapacity = 8, ErrorPolicy = ErrorPolicy.Skip })
            .Batch(16, TimeSpan.FromMilliseconds(5), new StageOptions { Name = "batch" })
            .To(_ => { }, new StageOptions { Name = "out" });

        string mermaid = builder.Build().ToMermaid();

        Assert.StartsWith("flowchart LR", mermaid, StringComparison.Ordinal);
        Assert.Contains("s0([\"numbers", mermaid, StringComparison.Ordinal);
        Assert.Contains("double<br/><small>then · dop=4 · cap=8 · on error: skip</small>", mermaid, StringComparison.Ordinal);
        Assert.Contains("size=16 · delay=5 ms", mermaid, StringComparison.Ordinal);
        Assert.Contains("s0 -->|Int32| s1", mermaid, StringComparison.Ordinal);
        Assert.Contains("s1 -->|Int32| s2", mermaid, StringComparison.Ordinal);
        Assert.Contains("s2 -->|Int32[]| s3", mermaid, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void StageOptions_NonPositiveCapacity_Throws(int capacity)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new StageOptions { BoundedCapacity = capacity });
        Assert.Equal("BoundedCapacity", error.ParamName);
    }

    [Fact]
    public void StageOptions_InvalidValues_Throw()
    {
        Assert.Equal("MaxDegreeOfParallelism", Assert.Throws<ArgumentOutOfRangeException>(() => new StageOptions { MaxDegreeOfParallelism = 0 }).ParamName);
        Assert.Equal("FullMode", Assert.Throws<ArgumentOutOfRangeException>(() => new StageOptions { FullMode = (FullMode)42 }).ParamName);
        Assert.Equal("Name", Assert.Throws<ArgumentException>(() => new StageOptions { Name = " " }).ParamName);
        Assert.Equal("MaxBatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchOptions { MaxBatchSize = 0 }).ParamName);
        Assert.Equal("MaxDelay", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchOptions { MaxDelay = TimeSpan.Zero }).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => ErrorPolicy.Retry(0));
    }

    [Fact]
    public void Builder_TakesSnapshotOfOptions()
    {
        var options = new StageOptions { Name = "stage", MaxDegreeOfParallelism = 2 };
        var builder = new PipelineBuilder();
        builder.From([1]).Then(x => x, options).To(_ => { });
        options.MaxDegreeOfParallelism = 7;
        options.Name = "renamed";

        var pipeline = builder.Build();

        Assert.Contains("stage", pipeline.StageNames);
        Assert.Contains("dop=2", pipeline.ToMermaid(), StringComparison.Ordinal);
    }

    private sealed class AddOneStage : Stage<int, int>
    {
        public override ValueTask<int> ProcessAsync(int item, CancellationToken cancellationToken) => ValueTask.FromResult(item + 1);
    }

    [Fact]
    public void Sources_BeyondTheKeyLimit_AreRejectedByName()
    {
        var builder = new PipelineBuilder();
        for (int i = 0; i < 16_384; i++)
        {
            builder.From(new[] { i }, $"s{i}");
        }

        var error = Assert.Throws<InvalidOperationException>(() => builder.From(new[] { 0 }, "one-too-many"));
        Assert.Equal("source 'one-too-many': a pipeline has at most 16384 sources", error.Message);
    }
}
