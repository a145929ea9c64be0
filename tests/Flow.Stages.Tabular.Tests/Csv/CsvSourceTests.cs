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

    public static TheoryData<string, string> BrokenRecords => new()
    {
        // An unclosed quote swallows the rest of the file (Sylvan reports it at the end of the input).
        { "51,\"1.5,2026-01-01T00:00:00Z", "malformed CSV (A quoted field at the end of the input ends without a closing quote)" },
        { "51,\"1.5\"x,2026-01-01T00:00:00Z", "malformed CSV (A delimiter, newline or EOF was expected after a closing quote)" },
    };

    [Theory]
    [MemberData(nameof(BrokenRecords))]
    public async Task ReadAsync_BrokenQuoteInTheMiddle_RejectsThatLine_KeepsEveryValidRowAfterIt(string broken, string reason)
    {
        // Line 1 is the header; data row i is on line i + 1, and row 51 (line 52) breaks the CSV syntax.
        var lines = new List<string> { "id,value,time" };
        for (int i = 1; i <= 100; i++)
        {
            lines.Add(i == 51 ? broken : $"{i},{i * 0.5},2026-01-01T00:00:00Z");
        }

        string csv = Write("broken.csv", lines);
        string rejectPath = Path.Combine(_folder, "broken.rejected.txt");
        var seen = new List<CsvRejectedRow>();
        using var source = new CsvSource<Row>(new CsvSourceOptions { Path = csv, RejectPath = rejectPath }, new RowMapper(), onRejected: seen.Add);

        var rows = await RunAsync(source);

        Assert.Equal(Enumerable.Range(1, 100).Where(i => i != 51), rows.Select(r => r.Id));
        Assert.Equal(100, source.RowsRead);
        Assert.Equal(1, source.RowsRejected);
        Assert.Equal([$"{csv}:52: {reason} | {broken}"], File.ReadAllLines(rejectPath));
        Assert.Equal([(52L, reason, broken)], seen.Select(r => (r.Line, r.Reason, r.Record)));
    }

    [Fact]
    public async Task ReadAsync_SeveralBrokenQuotesAndMappingErrors_EachRejectedWithItsLine_ValidRowsKept()
    {
        string[] lines =
        [
            "id,value,time",
            "1,0.5,2026-01-01T00:00:00Z",
            "2,\"1.0,2026-01-01T00:00:00Z",
            "3,abc,2026-01-01T00:00:00Z",
            "4,2.0,2026-01-01T00:00:00Z",
            "\"5\"x,2.5,2026-01-01T00:00:00Z",
            "6,3.0,2026-01-01T00:00:00Z",
            "7,\"multi",
            "line\",2026-01-01T00:00:00Z",
            "8,4.0,2026-01-01T00:00:00Z",
            "9,\"4.5,2026-01-01T00:00:00Z",
        ];
        string csv = Write("several.csv", lines);
        var seen = new List<CsvRejectedRow>();
        using var source = new CsvSource<Row>(new CsvSourceOptions { Path = csv }, new RowMapper(), onRejected: seen.Add);

        var rows = await RunAsync(source);

        // Row 2's unclosed quote runs until the quote that opens row 5, which Sylvan reports there; row 7's quoted field spans two
        // physical lines and is one record (whose value "multi\nline" is not a number), so from there on a line number counts records.
        Assert.Equal([1, 4, 6, 8], rows.Select(r => r.Id));
        Assert.Equal(
            [
                (3L, "malformed CSV (A delimiter, newline or EOF was expected after a closing quote)", lines[2]),
                (4L, "field 'value': 'abc' is not a number", lines[3]),
                (6L, "malformed CSV (A delimiter, newline or EOF was expected after a closing quote)", lines[5]),
                (8L, "field 'value': 'multi\nline' is not a number", lines[7] + "\n" + lines[8]),
                (10L, "malformed CSV (A quoted field at the end of the input ends without a closing quote)", lines[10]),
            ],
            seen.Select(r => (r.Line, r.Reason, r.Record)));
        Assert.Equal(9, source.RowsRead);
        Assert.Equal(5, source.RowsRejected);
    }

    [Fact]
    public async Task ReadAsync_UnclosedQuoteBeforeMoreThanABufferOfRows_RejectsOneLine_KeepsTheRest()
    {
        // 3,000 rows of about 30 characters after the broken quote: more than the reader's 64 Ki-character buffer.
        var lines = new List<string> { "id,value,time" };
        for (int i = 1; i <= 4000; i++)
        {
            lines.Add(i == 1000 ? "1000,\"5,2026-01-01T00:00:00Z" : $"{i},{i},2026-01-01T00:00:00Z");
        }

        string csv = Write("large.csv", lines);
        var seen = new List<CsvRejectedRow>();
        using var source = new CsvSource<Row>(new CsvSourceOptions { Path = csv }, new RowMapper(), onRejected: seen.Add);

        var rows = await RunAsync(source);

        Assert.Equal(Enumerable.Range(1, 4000).Where(i => i != 1000), rows.Select(r => r.Id));
        var rejected = Assert.Single(seen);
        Assert.Equal(
            (1001L, "malformed CSV (a record longer than 65536 characters: most likely an unclosed quote)", "1000,\"5,2026-01-01T00:00:00Z"),
            (rejected.Line, rejected.Reason, rejected.Record));
    }

    [Fact]
    public async Task ReadAsync_BrokenQuoteOnTheLastLineWithoutLineFeed_RejectsItAndEnds()
    {
        string csv = Path.Combine(_folder, "last.csv");
        File.WriteAllText(csv, "id,value,time\n1,0.5,2026-01-01T00:00:00Z\n2,\"1");
        var seen = new List<CsvRejectedRow>();
        using var source = new CsvSource<Row>(new CsvSourceOptions { Path = csv }, new RowMapper(), onRejected: seen.Add);

        var rows = await RunAsync(source);

        Assert.Equal([1], rows.Select(r => r.Id));
        Assert.Equal([(3L, "2,\"1")], seen.Select(r => (r.Line, r.Record)));
    }

    [Fact]
    public async Task OpenAsync_BrokenQuoteInTheHeader_FailsNamingFileAndLine()
    {
        string csv = Write("bad-quote-header.csv", ["id,\"value,time", "1,2,2026-01-01T00:00:00Z"]);
        using var source = new CsvSource<Row>(new CsvSourceOptions { Path = csv }, new RowMapper());

        var error = await Assert.ThrowsAnyAsync<Exception>(() => RunAsync(source));

        var cause = Assert.IsType<FormatException>(Innermost(error, e => e is FormatException and not CsvFormatException));
        Assert.Equal($"{csv}:1: malformed CSV header (A quoted field at the end of the input ends without a closing quote.)", cause.Message);
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

    private static Exception? Innermost(Exception error, Func<Exception, bool> match)
    {
        Exception? found = null;
        for (Exception? e = error; e is not null; e = e.InnerException is { } inner ? inner : (e as AggregateException)?.InnerExceptions.FirstOrDefault())
        {
            if (match(e))
            {
                found = e;
            }
        }

        return found;
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
