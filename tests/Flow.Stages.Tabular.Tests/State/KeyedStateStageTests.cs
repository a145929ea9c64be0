using Flow.Pipeline;
using Flow.Stages.Tabular.State;

namespace Flow.Stages.Tabular.Tests.State;

public sealed class KeyedStateStageTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task ThenPerKey_RunningCountPerKey_EqualsSequentialReference(int partitions)
    {
        // Item i has key i % 17; output = how many items of that key came before (needs per-key order).
        var items = Enumerable.Range(0, 5000).ToArray();
        var builder = new PipelineBuilder(new PipelineOptions { MetricsEnabled = false });
        var input = builder.From(items, "items");
        var counted = builder.ThenPerKey(input, "count", partitions, i => i % 17, _ => new int[1], (state, i) => (Item: i, Before: state[0]++)).Collect();

        await builder.Build().RunAsync();

        Assert.Equal(items.Length, counted.Items.Count);
        foreach (var (item, before) in counted.Items)
        {
            Assert.Equal(item / 17, before);
        }
    }

    [Fact]
    public async Task ProcessAsync_NewKey_CreatesStateOnce()
    {
        var created = new List<string>();
        var stage = new KeyedStateStage<string, string, List<string>, int>(s => s, k => { created.Add(k); return []; }, (state, s) => { state.Add(s); return state.Count; });

        Assert.Equal(1, await stage.ProcessAsync("a", default));
        Assert.Equal(1, await stage.ProcessAsync("b", default));
        Assert.Equal(2, await stage.ProcessAsync("a", default));
        Assert.Equal(["a", "b"], created);
        Assert.Equal(2, stage.KeyCount);
    }
}
