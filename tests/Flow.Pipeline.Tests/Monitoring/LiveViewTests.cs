using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Flow.Pipeline.Tests.Monitoring;

public class LiveViewTests
{
    [Theory]
    [InlineData("dumb")]
    [InlineData("")]
    [InlineData(null)]
    public void Resolve_AutoWithDumbOrMissingTerm_IsPlain(string? term)
    {
        Assert.Equal(LiveViewMode.Plain, LiveView.Resolve(LiveViewMode.Auto, Console.Out, term));
    }

    [Fact]
    public void Resolve_AutoWithOtherWriter_IsPlain()
    {
        Assert.Equal(LiveViewMode.Plain, LiveView.Resolve(LiveViewMode.Auto, new StringWriter(), "xterm-256color"));
    }

    [Fact]
    public void Resolve_ExplicitMode_IsKept()
    {
        Assert.Equal(LiveViewMode.Table, LiveView.Resolve(LiveViewMode.Table, new StringWriter(), "dumb"));
    }

    [Fact]
    public async Task Plain_WritesALinePerIntervalThenTheReport()
    {
        var clock = new FakeTimeProvider();
        var lines = Channel.CreateUnbounded<string>();
        var output = new LineWriter(lines.Writer);
        var input = Channel.CreateUnbounded<int>();
        var builder = new PipelineBuilder(new PipelineOptions { Name = "live", TimeProvider = clock });
        builder.From(input.Reader, "numbers").Then(x => x * 2, new StageOptions { Name = "double" }).To(_ => { }, new StageOptions { Name = "sink" });
        var run = builder.Build().Start();
        var view = LiveView.RunAsync(run, new LiveViewOptions { Mode = LiveViewMode.Plain, Output = output, TimeProvider = clock, PlainInterval = TimeSpan.FromSeconds(2) });

        for (int i = 0; i < 10; i++)
        {
            input.Writer.TryWrite(i);
        }

        await WaitUntilAsync(() => run.Monitor.Snapshot() is { Stages.Count: 3 } s && s["sink"].ItemsOut == 10);
        clock.Advance(TimeSpan.FromSeconds(2));
        string line = await lines.Reader.ReadAsync().AsTask().WaitAsync(TestSources.Timeout);

        Assert.StartsWith("[live    2.0s] | numbers 10 (", line, StringComparison.Ordinal);
        Assert.Contains("| double 10 (", line, StringComparison.Ordinal);
        Assert.Contains("| sink 10 (", line, StringComparison.Ordinal);

        input.Writer.Complete();
        var result = await view.WaitAsync(TestSources.Timeout);
        string report = await lines.Reader.ReadAsync().AsTask().WaitAsync(TestSources.Timeout);
        Assert.StartsWith("pipeline 'live' completed", report, StringComparison.Ordinal);
        Assert.Equal(10, result["sink"].ItemsOut);
    }

    [Fact]
    public async Task RunAsync_FailedRun_Throws()
    {
        var builder = new PipelineBuilder();
        builder.From(new[] { 1 }).Then<int>(_ => throw new InvalidOperationException("x"), new StageOptions { Name = "bad" }).To(_ => { });

        var error = await Assert.ThrowsAsync<StageFailedException>(() => LiveView.RunAsync(builder.Build().Start(), new LiveViewOptions { Mode = LiveViewMode.Plain, Output = new StringWriter() }));

        Assert.Equal("bad", error.StageName);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TestSources.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition never became true");
            await Task.Yield();
        }
    }

    /// <summary>Hands every written line to a channel, so the test awaits lines instead of sleeping.</summary>
    private sealed class LineWriter(ChannelWriter<string> lines) : TextWriter
    {
        private readonly StringBuilder _current = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n')
            {
                lines.TryWrite(_current.ToString());
                _current.Clear();
            }
            else
            {
                _current.Append(value);
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            lines.TryWrite(value ?? string.Empty);
            return Task.CompletedTask;
        }
    }
}
