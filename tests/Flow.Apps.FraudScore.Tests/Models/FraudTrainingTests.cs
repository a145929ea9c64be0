using Flow.Apps.FraudScore.Models;

namespace Flow.Apps.FraudScore.Tests.Models;

[Collection("fraud")]
public sealed class FraudTrainingTests(FraudFixture fixture)
{
    [Fact]
    public void Train_SimulatedData_LightGbmHeldOutRocAucAtLeast095()
    {
        var lightGbm = fixture.Manifest.Get(FraudModelKind.LightGbm);

        Assert.True(lightGbm.Test.RocAuc >= 0.95, lightGbm.Test.ToString());
        Assert.Equal(fixture.Manifest.TestRows, lightGbm.Test.Count);
        Assert.Equal((long)(FraudFixture.Rows * 0.2), fixture.Manifest.TestRows, tolerance: 1);
    }

    [Fact]
    public void Train_Threshold_ReachesTargetPrecisionOnValidation()
    {
        foreach (var model in fixture.Manifest.Models)
        {
            Assert.True(model.Validation.Precision >= fixture.Manifest.TargetPrecision, $"{model.Kind}: {model.Validation}");
        }
    }

    [Fact]
    public void Train_Mlp_LearnsBetterThanChance()
    {
        var mlp = fixture.Manifest.Get(FraudModelKind.Mlp);

        Assert.True(mlp.Test.RocAuc >= 0.9, mlp.Test.ToString());
    }

    [Fact]
    public void LoadModel_UnknownKind_ListsWhatTheFolderHas()
    {
        var error = Assert.Throws<ArgumentException>(() => FraudTraining.LoadModel(fixture.ModelFolder, "xgboost"));

        Assert.Equal(
            $"no 'xgboost' model in '{fixture.ModelFolder}' (it has: lightgbm, fasttree, mlp): pass one of those to --model-kind, or train it with 'flow fraud train --models xgboost --out {fixture.ModelFolder}' (Parameter 'kind')",
            error.Message);
    }

    [Fact]
    public void LoadModel_KindNotTrained_NamesTheFolderAndWhatItHas()
    {
        string folder = CopyModelFolder(withManifest: text => text);
        File.WriteAllText(
            Path.Combine(folder, FraudModelManifest.FileName),
            File.ReadAllText(Path.Combine(folder, FraudModelManifest.FileName)).Replace("\"kind\": \"mlp\"", "\"kind\": \"other\"", StringComparison.Ordinal));

        var error = Assert.Throws<ArgumentException>(() => FraudTraining.LoadModel(folder, FraudModelKind.Mlp));

        Assert.StartsWith($"no 'mlp' model in '{folder}' (it has: lightgbm, fasttree, other): pass one of those to --model-kind", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadModel_ManifestNotJson_OneLineNamingTheFileAndTheFix()
    {
        string folder = CopyModelFolder(withManifest: text => text[..(text.Length / 2)]);
        string manifest = Path.Combine(folder, FraudModelManifest.FileName);

        var error = Assert.Throws<InvalidDataException>(() => FraudTraining.LoadModel(folder, FraudModelKind.LightGbm));

        Assert.StartsWith($"model manifest '{manifest}' is not a valid manifest (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"): retrain with 'flow fraud train --out {folder}'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(error.InnerException);
    }

    [Fact]
    public void LoadModel_ManifestWithoutFeatureNames_SaysWhatIsMissing()
    {
        string folder = CopyModelFolder(withManifest: _ => "{\"target_precision\": 0.9, \"models\": []}");

        var error = Assert.Throws<InvalidDataException>(() => FraudTraining.LoadModel(folder, FraudModelKind.LightGbm));

        Assert.Equal($"model manifest '{Path.Combine(folder, FraudModelManifest.FileName)}' lacks 'feature_names': retrain with 'flow fraud train --out {folder}'", error.Message);
    }

    [Fact]
    public void LoadModel_OtherFeatures_SaysToRetrainThatFolder()
    {
        string folder = CopyModelFolder(withManifest: text => text.Replace("\"amount_log\"", "\"amount\"", StringComparison.Ordinal));

        var error = Assert.Throws<InvalidDataException>(() => FraudTraining.LoadModel(folder, FraudModelKind.LightGbm));

        Assert.StartsWith($"models in '{folder}' were trained on other features (amount,hour_of_day,", error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"); retrain with 'flow fraud train --out {folder}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadModel_ModelFileMissing_NamesIt()
    {
        string folder = CopyModelFolder(withManifest: text => text);
        File.Delete(Path.Combine(folder, "fasttree.zip"));

        var error = Assert.Throws<FileNotFoundException>(() => FraudTraining.LoadModel(folder, FraudModelKind.FastTree));

        Assert.Equal($"model file '{Path.Combine(folder, "fasttree.zip")}' (listed in manifest.json) not found: retrain with 'flow fraud train --out {folder}'", error.Message);
    }

    [Fact]
    public async Task RunAsync_MalformedRows_DeadLettersThemWithLineAndReason_PrintsPathAndCount()
    {
        // The first 3,000 rows of the fixture's file, with a bad amount on line 11 and an unclosed quote on line 2,901.
        var lines = File.ReadLines(fixture.CsvPath).Take(3001).ToArray();
        string[] fields = lines[10].Split(',');
        fields[6] = "-3.5";
        string badAmount = string.Join(',', fields);
        string brokenQuote = "\"" + lines[2900];
        lines[10] = badAmount;
        lines[2900] = brokenQuote;
        string csv = fixture.NewPath("train.csv");
        File.WriteAllLines(csv, lines);
        var output = new StringWriter();

        await FraudTraining.RunAsync(new FraudTrainingSettings { InputPath = csv, OutputFolder = fixture.NewPath("m"), Kinds = [FraudModelKind.LightGbm], Trees = 5 }, output, CancellationToken.None);

        string rejectPath = csv + ".rejected.txt";
        Assert.Contains($"read 2,998 transactions from {csv} (2 malformed rows dead-lettered to {rejectPath})", output.ToString());
        var dead = File.ReadAllLines(rejectPath);
        Assert.Equal(2, dead.Length);
        Assert.Equal($"{csv}:11: field 'amount': '-3.5' is not a positive number | {badAmount}", dead[0]);
        Assert.Equal($"{csv}:2901: malformed CSV (A quoted field at the end of the input ends without a closing quote) | {brokenQuote}", dead[1]);
    }

    [Fact]
    public async Task RunAsync_MissingCsv_NamesItAndHowToMakeOne()
    {
        string csv = fixture.NewPath("missing.csv");

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => FraudTraining.RunAsync(new FraudTrainingSettings { InputPath = csv, OutputFolder = fixture.NewPath("m") }, TextWriter.Null, CancellationToken.None));

        Assert.Equal($"transaction CSV '{csv}' not found (pass --csv, or write one with 'flow fraud generate --out {csv}')", error.Message);
    }

    [Fact]
    public async Task RunAsync_NoValidRows_SaysSoInsteadOfFailingInside()
    {
        string csv = fixture.NewPath("header-only.csv");
        File.WriteAllLines(csv, File.ReadLines(fixture.CsvPath).Take(1));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => FraudTraining.RunAsync(new FraudTrainingSettings { InputPath = csv, OutputFolder = fixture.NewPath("m") }, TextWriter.Null, CancellationToken.None));

        Assert.Equal($"'{csv}' has 0 valid transactions (0 malformed, see {csv}.rejected.txt); training needs at least 100", error.Message);
    }

    [Fact]
    public void Validate_FractionsOutOfRange_NamesTheSettings()
    {
        var error = Assert.Throws<ArgumentException>(() => new FraudTrainingSettings { TrainFraction = 0.95, ValidationFraction = 0.1 }.Validate());

        Assert.Equal("TrainFraction (0.95) and ValidationFraction (0.1) must each be in (0, 1) and sum to less than 1, to leave a test period (Parameter 'TrainFraction')", error.Message);
    }

    private string CopyModelFolder(Func<string, string> withManifest)
    {
        string folder = fixture.NewPath("models");
        Directory.CreateDirectory(folder);
        foreach (string file in Directory.GetFiles(fixture.ModelFolder))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        string manifest = Path.Combine(folder, FraudModelManifest.FileName);
        File.WriteAllText(manifest, withManifest(File.ReadAllText(manifest)));
        return folder;
    }

    [Fact]
    public void LoadModel_NoManifest_SaysHowToMakeOne()
    {
        var error = Assert.Throws<FileNotFoundException>(() => FraudTraining.LoadModel(fixture.NewPath("none"), FraudModelKind.LightGbm));

        Assert.Contains("run 'flow fraud train'", error.Message);
    }

    [Fact]
    public void ArffSanityCheck_CreditG_TrainsAndReportsRocAuc()
    {
        string path = FindCreditG();
        if (path.Length == 0)
        {
            // The asset comes from scripts/assets/fraud.sh; without it there is nothing to check.
            Assert.Fail("credit-g.arff not found: run 'bash scripts/assets/fraud.sh' (scripts/setup.sh does)");
        }

        var evaluation = ArffSanityCheck.Evaluate(path, seed: 1);

        Assert.Equal(300, evaluation.Count);
        Assert.InRange(evaluation.RocAuc, 0.65, 1.0);
    }

    private static string FindCreditG()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, ".assets", "fraud", "credit-g.arff");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return File.Exists("/usr/share/doc/weka/examples/credit-g.arff") ? "/usr/share/doc/weka/examples/credit-g.arff" : string.Empty;
    }
}
