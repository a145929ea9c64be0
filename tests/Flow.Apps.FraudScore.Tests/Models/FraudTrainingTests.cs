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

        Assert.Contains("no 'xgboost' model in the folder (it has: lightgbm, fasttree, mlp)", error.Message);
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
