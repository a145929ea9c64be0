using Flow.Apps.FraudScore.Commands;
using Flow.Apps.FraudScore.Data;
using Flow.Apps.FraudScore.Features;
using Flow.Apps.FraudScore.Models;
using Flow.Apps.FraudScore.Scoring;
using Flow.Stages.Tabular.Scoring;

namespace Flow.Apps.FraudScore.Tests.Scoring;

/// <summary>
/// The ONNX engine (ONNX Runtime over the .onnx that training writes with ML.NET's converter) against
/// the ML.NET engine on the same model, the same rows and the same threshold.
/// </summary>
[Collection("fraud")]
public sealed class FraudOnnxEngineTests(FraudFixture fixture)
{
    /// <summary>
    /// ML.NET sums the trees in double and applies the calibrator in float; the converted graph sums
    /// in float (TreeEnsembleRegressor), so the two differ by rounding only, well under this bound.
    /// </summary>
    private const float Tolerance = 1e-5f;

    private async Task<float[][]> FeaturesAsync()
    {
        var extractor = new CardFeatureExtractor();
        return [.. (await TransactionFile.ReadAllAsync(fixture.CsvPath)).Select(extractor.Next)];
    }

    private static float[] Score(IBinaryClassifier model, float[][] rows, int batch)
    {
        var result = new float[rows.Length];
        using var session = model.CreateSession();
        for (int start = 0; start < rows.Length; start += batch)
        {
            int count = Math.Min(batch, rows.Length - start);
            session.Predict(new ArraySegment<float[]>(rows, start, count), result.AsSpan(start, count));
        }

        return result;
    }

    [Theory]
    [InlineData(FraudModelKind.LightGbm)]
    [InlineData(FraudModelKind.FastTree)]
    public async Task Onnx_SameRows_EqualsMlNetWithinToleranceAndSameAlerts(string kind)
    {
        var rows = await FeaturesAsync();
        var (mlnet, threshold) = FraudTraining.LoadModel(fixture.ModelFolder, kind, FraudScoringEngine.MlNet);
        var (onnx, onnxThreshold) = FraudTraining.LoadModel(fixture.ModelFolder, kind, FraudScoringEngine.Onnx);
        Assert.IsType<OnnxBinaryClassifier>(onnx);
        Assert.Equal(threshold, onnxThreshold);

        var expected = Score(mlnet, rows, 1024);
        var actual = Score(onnx, rows, 1024);

        float maxDifference = 0;
        int alerts = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            maxDifference = Math.Max(maxDifference, Math.Abs(expected[i] - actual[i]));
            bool expectedAlert = expected[i] >= threshold;
            alerts += expectedAlert ? 1 : 0;

            // An alert may only differ where both scores lie within the tolerance of the threshold.
            if (expectedAlert != actual[i] >= threshold)
            {
                Assert.True(Math.Abs(expected[i] - threshold) <= Tolerance, $"row {i}: mlnet {expected[i]}, onnx {actual[i]}, threshold {threshold}");
            }
        }

        Assert.True(maxDifference <= Tolerance, $"max |mlnet - onnx| = {maxDifference}");
        Assert.True(alerts > 0, "the test file raised no alert at the trained threshold");
    }

    [Fact]
    public async Task Onnx_ScoreCommand_SameAlertsAsMlNet()
    {
        async Task<string[]> AlertIdsAsync(string engine)
        {
            string alerts = fixture.NewPath($"alerts-{engine}.csv");
            var summary = await FraudCsvScoring.RunAsync(
                new FraudScoreSettings { InputPath = fixture.CsvPath, ModelFolder = fixture.ModelFolder, Engine = engine, AlertsPath = alerts, RejectPath = fixture.NewPath("rejects.txt") },
                TextWriter.Null,
                CancellationToken.None);
            Assert.Equal(FraudFixture.Rows, summary.Scored);
            return [.. File.ReadLines(alerts).Skip(1).Select(line => line[..line.IndexOf(',', StringComparison.Ordinal)]).Order(StringComparer.Ordinal)];
        }

        var mlnet = await AlertIdsAsync(FraudScoringEngine.MlNet);
        var onnx = await AlertIdsAsync(FraudScoringEngine.Onnx);

        Assert.NotEmpty(mlnet);
        Assert.Equal(mlnet, onnx);
    }

    [Fact]
    public async Task Onnx_TwoSessionsAndBatchSizes_BitwiseIdentical()
    {
        var rows = await FeaturesAsync();
        var (onnx, _) = FraudTraining.LoadModel(fixture.ModelFolder, FraudModelKind.LightGbm, FraudScoringEngine.Onnx);

        var first = Score(onnx, rows, 1024);
        var again = Score(onnx, rows, 1024);
        var ragged = Score(onnx, rows, 7);
        var single = Score(onnx, rows[..500], 1);

        Assert.Equal(first, again);
        Assert.Equal(first, ragged);
        Assert.Equal(first[..500], single);
    }

    [Fact]
    public void Onnx_MissingOnnxFile_OneLineErrorNamesFileAndHowToCreateIt()
    {
        string folder = fixture.NewPath("no-onnx");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(fixture.ModelFolder, FraudModelManifest.FileName), Path.Combine(folder, FraudModelManifest.FileName));
        File.Copy(Path.Combine(fixture.ModelFolder, "lightgbm.zip"), Path.Combine(folder, "lightgbm.zip"));
        string onnx = Path.Combine(folder, "lightgbm.onnx");

        var error = Assert.Throws<FileNotFoundException>(() => FraudTraining.LoadModel(folder, FraudModelKind.LightGbm, FraudScoringEngine.Onnx));

        Assert.Equal($"ONNX model '{onnx}' not found: retrain with 'flow fraud train --out {folder}' (it writes each tree model as ONNX next to its .zip) or score with --engine mlnet", error.Message);
        Assert.Equal(onnx, error.FileName);
        Assert.IsType<MlNetBinaryClassifier>(FraudTraining.LoadModel(folder, FraudModelKind.LightGbm, FraudScoringEngine.MlNet).Model);
    }

    [Fact]
    public async Task ScoreCommand_MissingOnnxFile_TheOneLineCauseEscapesToTheTopLevelHandler()
    {
        string folder = fixture.NewPath("no-onnx-cli");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(fixture.ModelFolder, FraudModelManifest.FileName), Path.Combine(folder, FraudModelManifest.FileName));
        File.Copy(Path.Combine(fixture.ModelFolder, "lightgbm.zip"), Path.Combine(folder, "lightgbm.zip"));
        var parse = new System.CommandLine.RootCommand("test") { FraudCommands.Create() }.Parse(["fraud", "score", "--csv", fixture.CsvPath, "--models", folder, "--engine", "onnx", "--live", "false"]);

        // The command neither prints nor swallows it: the flow CLI's handler prints 'flow fraud score: <message>' and exits with 2.
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => parse.InvokeAsync(new System.CommandLine.InvocationConfiguration { EnableDefaultExceptionHandler = false }));

        string onnx = Path.Combine(folder, "lightgbm.onnx");
        Assert.Equal(
            $"ONNX model '{onnx}' not found: retrain with 'flow fraud train --out {folder}' (it writes each tree model as ONNX next to its .zip) or score with --engine mlnet",
            error.Message);
    }

    [Fact]
    public void Train_TreeModels_WriteOnnxNextToZip_MlpHasNone()
    {
        Assert.True(File.Exists(Path.Combine(fixture.ModelFolder, "lightgbm.onnx")));
        Assert.True(File.Exists(Path.Combine(fixture.ModelFolder, "fasttree.onnx")));
        Assert.False(File.Exists(Path.Combine(fixture.ModelFolder, "mlp.onnx")));
    }

    [Fact]
    public void LoadModel_OnnxEngineForMlp_SaysToUseMlNet()
    {
        var error = Assert.Throws<ArgumentException>(() => FraudTraining.LoadModel(fixture.ModelFolder, FraudModelKind.Mlp, FraudScoringEngine.Onnx));

        Assert.StartsWith("the onnx engine serves the tree models (lightgbm, fasttree); the mlp runs on Flow.Neural: use --engine mlnet", error.Message, StringComparison.Ordinal);
    }
}
