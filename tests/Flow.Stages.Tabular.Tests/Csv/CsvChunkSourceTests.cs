using System.Collections.Concurrent;
using Flow.Pipeline;
using Flow.Stages.Tabular.Csv;
using Microsoft.Extensions.Time.Testing;
using Row = Flow.Stages.Tabular.Tests.Csv.CsvSourceTests.Row;
using RowMapper = Flow.Stages.Tabular.Tests.Csv.CsvSourceTests.RowMapper;

namespace Flow.Stages.Tabular.Tests.Csv;

public sealed class CsvChunkSourceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flow-csv-chunks-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, IEnumerable<string> lines)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    /// <summary>200 records, every tenth (from the third) malformed in one of two ways: 180 valid rows.</summary>
    private string WriteMixed()
    {
        var lines = new List<string> { "id,value,time" };
        for (int i = 1; i <= 200; i++)
        {
            lines.Add((i % 10, i % 20) switch
            {
                (3, 3) => $"{i},abc,2026-01-01T00:00:00Z",
                (3, _) => $"{i},1.5",
                _ => $"{i},{i * 0.5},2026-01-01T00:00:{i % 60:00}Z",
            });
        }

        return Write("mixed.csv", lines);
    }

    private static async Task<List<T>> CollectAsync<T>(ISourceStage<T> source)
    {
        var builder = new PipelineBuilder(new PipelineOptions { MetricsEnabled = false });
        var items = builder.From(source, "csv").Collect();
        await builder.Build().RunAsync();
        return [.. items.Items];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(179)]
    [InlineData(180)]
    [InlineData(181)]
    [InlineData(4096)]
    public async Task ReadAsync_ChunkSize_ConcatenationEqualsPerRecordSourceWithTheSameRejects(int chunkSize)
    {
        string csv = WriteMixed();
        var perRecordRejects = new List<CsvRejectedRow>();
        var chunkRejects = new List<CsvRejectedRow>();
        using var perRecord = new CsvSource<Row>(new CsvSourceOptions { Path = csv, RejectPath = Path.Combine(_folder, "a.txt") }, new RowMapper(), onRejected: perRecordRejects.Add);
        using var chunked = new CsvChunkSource<Row>(new CsvSourceOptions { Path = csv, RejectPath = Path.Combine(_folder, "b.txt"), ChunkSize = chunkSize }, new RowMapper(), onRejected: chunkRejects.Add);

        var expected = await CollectAsync(perRecord);
        var chunks = await CollectAsync(chunked);

        Assert.Equal(180, expected.Count);
        Assert.Equal(expected, chunks.SelectMany(c => c));

        // Without pacing every chunk but the last is full.
        Assert.Equal((180 + chunkSize - 1) / chunkSize, chunks.Count);
        Assert.All(chunks[..^1], c => Assert.Equal(chunkSize, c.Length));
        Assert.Equal(180 - ((chunks.Count - 1) * chunkSize), chunks[^1].Length);

        Assert.Equal(200, chunked.RowsRead);
        Assert.Equal(20, chunked.RowsRejected);
        Assert.Equal(perRecordRejects, chunkRejects);
        Assert.Equal(File.ReadAllLines(Path.Combine(_folder, "a.txt")), File.ReadAllLines(Path.Combine(_folder, "b.txt")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task ReadAsync_BrokenQuoteInTheMiddle_ChunksHoldEveryValidRow_OneReject(int chunkSize)
    {
        var lines = new List<string> { "id,value,time" };
        for (int i = 1; i <= 60; i++)
        {
            lines.Add(i == 30 ? "30,\"15,2026-01-01T00:00:00Z" : $"{i},{i * 0.5},2026-01-01T00:00:00Z");
        }

        string csv = Write("broken.csv", lines);
        var rejects = new List<CsvRejectedRow>();
        using var chunked = new CsvChunkSource<Row>(new CsvSourceOptions { Path = csv, ChunkSize = chunkSize }, new RowMapper(), onRejected: rejects.Add);

        var chunks = await CollectAsync(chunked);

        Assert.Equal(Enumerable.Range(1, 60).Where(i => i != 30), chunks.SelectMany(c => c).Select(r => r.Id));
        Assert.Equal([(31L, "30,\"15,2026-01-01T00:00:00Z")], rejects.Select(r => (r.Line, r.Record)));
        Assert.Equal(60, chunked.RowsRead);
        Assert.Equal(1, chunked.RowsRejected);
    }

    [Fact]
    public async Task ReadAsync_ReplaySpeed_EmitsTheRowsAlreadyDueBeforeWaiting()
    {
        // Rows 1 and 2 are due at once; row 3 is 10 s of event time later, 5 s of clock time at ×2.
        string csv = Write("paced.csv", ["id,value,time", "1,1,2026-01-01T00:00:00Z", "2,2,2026-01-01T00:00:00Z", "3,3,2026-01-01T00:00:10Z", "4,4,2026-01-01T00:00:10Z"]);
        var clock = new FakeTimeProvider();
        using var source = new CsvChunkSource<Row>(new CsvSourceOptions { Path = csv, ReplaySpeed = 2, ChunkSize = 100 }, new RowMapper(), r => r.Time);
        var builder = new PipelineBuilder(new PipelineOptions { TimeProvider = clock, MetricsEnabled = false });
        var seen = new ConcurrentQueue<int[]>();
        builder.From(source, "csv").To(chunk => seen.Enqueue([.. chunk.Select(r => r.Id)]));
        var run = builder.Build().RunAsync();

        // The first chunk arrives while the clock stands still: the source does not hold due rows while it waits.
        while (seen.IsEmpty)
        {
            await Task.Yield();
        }

        Assert.Equal([1, 2], Assert.Single(seen));
        clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Single(seen);
        while (!run.IsCompleted)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }

        await run;
        Assert.Equal([[1, 2], [3, 4]], seen);
    }

    [Fact]
    public void ChunkSize_ZeroOrNegative_ThrowsNamingTheProperty()
    {
        Assert.Equal("ChunkSize", Assert.Throws<ArgumentOutOfRangeException>(() => new CsvSourceOptions { ChunkSize = 0 }).ParamName);
        Assert.Equal(256, new CsvSourceOptions().ChunkSize);
    }
}
