namespace Flow.Stages.Inference.Tests;

public class OnnxModelOptionsTests
{
    [Fact]
    public void Defaults_OneThreadPerSession()
    {
        var options = new OnnxModelOptions();
        Assert.Equal(1, options.IntraOpNumThreads);
        Assert.Equal(1, options.InterOpNumThreads);
        Assert.Equal(string.Empty, options.ModelPath);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void IntraOpNumThreads_NotPositive_Throws(int value)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxModelOptions { IntraOpNumThreads = value });
        Assert.Equal("IntraOpNumThreads", ex.ParamName);
    }

    [Fact]
    public void Clone_LaterChanges_DoNotReachTheCopy()
    {
        var options = new OnnxModelOptions { ModelPath = "a.onnx" };
        var copy = options.Clone();
        options.ModelPath = "b.onnx";
        Assert.Equal("a.onnx", copy.ModelPath);
    }

    [Fact]
    public void Create_EmptyPath_ThrowsSayingNoModelWasGiven()
    {
        var ex = Assert.Throws<OnnxModelException>(() => OnnxSessions.Create(new OnnxModelOptions()));
        Assert.Contains("no model file given", ex.Message, StringComparison.Ordinal);
    }
}
