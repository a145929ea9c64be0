namespace Flow.Neural.Tests;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flow-neural-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SaveLoad_RoundTrip_SameArchitectureAndOutputs()
    {
        Sequential model = Models.SmallCnn(seed: 9);
        string path = Path.Combine(_dir, "cnn.flnn");
        Tensor x = TestData.Random(1, 3, 1, 8, 8);

        ModelFile.Save(model, path);
        Sequential loaded = ModelFile.Load(path);

        Assert.Equal(model.ToString(), loaded.ToString());
        Assert.Equal(model.Forward(x).Data, loaded.Forward(x).Data);
    }

    [Fact]
    public void Load_TruncatedFile_ThrowsNamingFileAndCause()
    {
        string path = Path.Combine(_dir, "cut.flnn");
        ModelFile.Save(Models.SmallMlp(), path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var ex = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ForeignFile_ThrowsNotAModelFile()
    {
        string path = Path.Combine(_dir, "foreign.onnx");
        File.WriteAllText(path, "this is not a model");

        var ex = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path));

        Assert.Contains("not a Flow.Neural model file", ex.Message, StringComparison.Ordinal);
        Assert.Equal(path, ex.FilePath);
    }

    [Fact]
    public void Load_FlippedByte_ThrowsChecksumMismatch()
    {
        string path = Path.Combine(_dir, "flipped.flnn");
        ModelFile.Save(Models.SmallMlp(), path);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path));

        Assert.Contains("checksum", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ThrowsNotFound()
    {
        var ex = Assert.Throws<ModelFormatException>(() => ModelFile.Load(Path.Combine(_dir, "none.flnn")));

        Assert.Contains("not found", ex.Message, StringComparison.Ordinal);
    }
}
