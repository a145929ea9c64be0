using Flow.Pipeline;
using Flow.Stages.Tabular.Csv;
using Microsoft.Extensions.Time.Testing;
using Sylvan.Data.Csv;

namespace Flow.Stages.Tabular.Tests.Csv;

public sealed class CsvSourceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flow-csv-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    internal sealed record Row(int Id, double Value, DateTime Time);

    internal sealed class RowMapper : ICsvRecordMapper<Row>
    {
        private int _id, _value, _time;

        public void Bind(CsvDataReader reader)
        {
            _id = Ordinal(reader, "id");
            _value = Ordinal(reader, "value");
            _time = Ordinal(reader, "time");
        }

        public Row Map(CsvDataReader reader)
        {
            if (reader.RowFieldCount != 3)
            {
                throw new FormatException($"{reader.RowFieldCount} fields, expected 3");
            }

            if (!int.TryParse(reader.GetFieldSpan(_id), out int id))
            {
                throw new FormatException($"field 'id': '{reader.GetString(_id)}' is not an integer");
            }

            if (!double.TryParse(reader.GetFieldSpan(_value), System.Globalization.CultureInfo.InvariantCulture, out double value))
            {
                throw new FormatException($"field 'value': '{reader.GetString(_value)}' is not a number");
            }

            return new Row(id, value, DateTime.Parse(reader.GetString(_time), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal));
        }

        private static int Ordinal(CsvDataReader reader, string name)
        {
            for (int i = 0; i < reader.FieldCount; i++)
            {
                if (reader.GetName(i) == name)
                {
                    return i;
                }
            }

            throw new FormatException($"column '{name}' is missing");
        }
    }

    private string Write(string name, IEnumerable<string> lines)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private static async Task<List<Row>> RunAsync(CsvSource<Row> source, TimeProvider? clock = null)
    {
        var builder = new PipelineBuilder(new PipelineOptions { TimeProvider = clock ?? TimeProvider.System });
        var rows = builder.From(source, "csv").Collect();
        await builder.Build().RunAsync();
        return [.. rows.Items];
    }

    [Fact]
    public async Task ReadAsync_TenPercentMalformed_RejectsExactlyThoseWithLineAndReason_KeepsEveryValidRow()
    {
        var lines = new List<string> { "id,value,time" };
        var expectedBad = new List<(long Line, string Reason)>();
        for (int i = 1; i <= 200; i++)
        {
            long line = i + 1;
            switch (i % 10)
            {
                case 3 when i % 20 == 3:
                    lines.Add($"{i},abc,2026-01-01T00:00:00Z");
                    expectedBad.Add((line, "field 'value': 'abc' is not a number"));
                    break;
                case 3:
                    lines.Add($"{i},1.5");
                    expectedBad.Add((line, "2 fields, expected 3"));
                    break;
                default:
                    lines.Add($"{i},{i * 0.5},2026-01-01T00:00:00Z");
                    break;
            }
        }

        string csv = Write("rows.csv", lines);
        string rejectPath = Path.Combine(_folder, "rows.rejected.txt");
        var seen = new List<CsvRejectedRow>();
        using var source = new CsvSource<Row>(new CsvSourceOptions { Path = csv, RejectPath = rejectPath }, new RowMapper(), onRejected: seen.Add);

        var rows = await RunAsync(source);

        Assert.Equal(180, rows.Count);
        Assert.Equal(Enumerable.Range(1, 200).Where(i => i % 10 != 3), rows.Select(r => r.Id));
        Assert.Equal(200, source.RowsRead);
        Assert.Equal(20, source.RowsRejected);
        Assert.Equal(expectedBad, seen.Select(r => (r.Line, r.Reason)));
        var file = File.ReadAllLines(rejectPath);
        Assert.Equal(20, file.Length);
        Assert.Equal($"{csv}:4: field 'value': 'abc' is not a number | 3,abc,2026-01-01T00:00:00Z", file[0]);
        Assert.Equal($"{csv}:14: 2 fields, expected 3 | 13,1.5", file[1]);
    }

    [Fact]
    public async Task OpenAsync_MissingColumn_FailsNamingFileAndColumn()
    {
        string csv = Write("bad-header.csv", ["id,time", "1,2026-01-01T00:00:00Z"]);
        using var source = new CsvSource<Row>(new CsvSourceOptions { Path = csv }, new RowMapper());

        var error = await Assert.ThrowsAnyAsync<Exception>(() => RunAsync(source));

        Assert.Contains($"{csv}: header: column 'value' is missing", Flatten(error));
    }

    [Fact]
    public async Task OpenAsync_MissingFile_FailsNamingTheFile()
    {
        string csv = Path.Combine(_folder, "nope.csv");
        using var source = new CsvSource<Row>(new CsvSourceOptions { Path = csv }, new RowMapper());

        var error = await Assert.ThrowsAnyAsync<Exception>(() => RunAsync(source));

        Assert.Contains($"CSV file '{csv}' not found", Flatten(error));
    }

    [Fact]
    public async Task ReadAsync_ReplaySpeed_WaitsForEventTimeOnTheFakeClock()
    {
        string csv = Write("paced.csv", ["id,value,time", "1,1,2026-01-01T00:00:00Z", "2,2,2026-01-01T00:00:10Z", "3,3,2026-01-01T00:00:20Z"]);
        var clock = new FakeTimeProvider();
        using var source = new CsvSource<Row>(new CsvSourceOptions { Path = csv, ReplaySpeed = 2 }, new RowMapper(), r => r.Time);
        var builder = new PipelineBuilder(new PipelineOptions { TimeProvider = clock, MetricsEnabled = false });
        var seen = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var firstTwo = new TaskCompletionSource();
        builder.From(source, "csv").To(r =>
        {
            seen.Enqueue(r.Id);
            if (r.Id == 2)
            {
                firstTwo.TrySetResult();
            }
        });
        var run = builder.Build().RunAsync();

        // At ×2, row 2 (10 s of event time later) is due after 5 s of clock time.
        while (seen.IsEmpty)
        {
            await Task.Yield();
        }

        Assert.Equal([1], seen);
        clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal([1], seen);
        clock.Advance(TimeSpan.FromSeconds(0.2));
        await firstTwo.Task.WaitAsync(TimeSpan.FromSeconds(30));
        while (!run.IsCompleted)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }

        await run;
        Assert.Equal([1, 2, 3], seen);
    }

    private static string Flatten(Exception error)
    {
        var text = new System.Text.StringBuilder();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            text.AppendLine(e.Message);
        }

        return text.ToString();
    }
}
