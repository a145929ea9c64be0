using Flow.Pipeline.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flow.Pipeline.Tests.Hosting;

public class FlowPipelineServiceTests
{
    [Fact]
    public async Task HostStop_StopsGracefully_DrainsWhatWasRead()
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CollectedItems<int>? collected = null;
        using var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .ConfigureServices(services => services.AddFlowPipeline(_ =>
            {
                var builder = new PipelineBuilder(new PipelineOptions { Name = "hosted" });
                collected = builder.From(TestSources.Endless(), "endless")
                    .Then(x => { if (x == 200) { reached.TrySetResult(); } return x; }, new StageOptions { MaxDegreeOfParallelism = 2 })
                    .Batch(64)
                    .Unbatch()
                    .Collect();
                return builder.Build();
            }))
            .Build();

        await host.StartAsync().WaitAsync(TestSources.Timeout);
        await reached.Task.WaitAsync(TestSources.Timeout);
        await host.StopAsync().WaitAsync(TestSources.Timeout);

        var service = host.Services.GetRequiredService<FlowPipelineService>();
        var result = await service.Completion.WaitAsync(TestSources.Timeout);
        Assert.Equal(PipelineOutcome.Stopped, result.Outcome);
        Assert.True(collected!.Items.Count > 200);
        Assert.Equal(Enumerable.Range(0, collected.Items.Count), collected.Items);
        Assert.Equal(result["endless"].ItemsOut, collected.Items.Count);
    }

    [Fact]
    public async Task PipelineEnds_StopsTheHost()
    {
        using var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .ConfigureServices(services => services.AddFlowPipeline(_ =>
            {
                var builder = new PipelineBuilder();
                builder.From(Enumerable.Range(0, 100)).To(_ => { });
                return builder.Build();
            }))
            .Build();

        var service = host.Services.GetRequiredService<FlowPipelineService>();

        // RunAsync returns only because the finished pipeline stopped the host.
        await host.RunAsync().WaitAsync(TestSources.Timeout);

        var result = await service.Completion.WaitAsync(TestSources.Timeout);
        Assert.Equal(PipelineOutcome.Completed, result.Outcome);
        Assert.Equal(100, result.Stages[^1].ItemsOut);
    }
}
