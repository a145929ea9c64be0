using Flow.Stages.Tabular.Arff;

namespace Flow.Stages.Tabular.Tests.Arff;

public sealed class ArffDatasetTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"flow-{Guid.NewGuid():N}.arff");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Load_QuotedNominalsAndNumerics_OneHotEncodes()
    {
        File.WriteAllText(_path, """
            % a comment
            @relation 'tiny credit'
            @attribute checking { '<0', 'no checking', '>=200'}
            @attribute duration numeric
            @attribute purpose { 'new car', radio/tv}
            @attribute class { good, bad}
            @data
            '<0',6,radio/tv,good
            'no checking',48,'new car',bad
            '>=200',?,radio/tv,bad
            """);

        var data = ArffDataset.Load(_path);
        var rows = data.ToFeatureRows("class", "bad");

        Assert.Equal("tiny credit", data.Relation);
        Assert.Equal(["checking", "duration", "purpose", "class"], data.Attributes.Select(a => a.Name));
        Assert.Equal(["<0", "no checking", ">=200"], data.Attributes[0].NominalValues);
        Assert.True(data.Attributes[1].IsNumeric);
        Assert.Equal(3, rows.Count);
        Assert.Equal([1f, 0f, 0f, 6f, 0f, 1f], rows[0].Features);
        Assert.Equal([0f, 1f, 0f, 48f, 1f, 0f], rows[1].Features);
        Assert.True(float.IsNaN(rows[2].Features[3]));
        Assert.Equal([false, true, true], rows.Select(r => r.Label));
    }

    [Fact]
    public void Load_WrongFieldCount_NamesFileAndRecord()
    {
        File.WriteAllText(_path, "@relation r\n@attribute a numeric\n@attribute c { x, y}\n@data\n1,x\n2\n");

        var error = Assert.Throws<FormatException>(() => ArffDataset.Load(_path));

        Assert.Equal($"{_path}: data record 2: 1 fields, expected 2", error.Message);
    }

    [Fact]
    public void Load_UnsupportedType_NamesLineAndAttribute()
    {
        File.WriteAllText(_path, "@relation r\n@attribute when date\n@data\n");

        var error = Assert.Throws<FormatException>(() => ArffDataset.Load(_path));

        Assert.StartsWith($"{_path}:2: attribute 'when': type 'date'", error.Message);
    }
}
