namespace Flow.Stages.Tabular.Training;

/// <summary>The ML.NET gradient-boosted tree trainers <see cref="BinaryClassifierTrainer"/> offers.</summary>
public enum BinaryTrainerKind
{
    /// <summary>ML.NET's LightGBM binary trainer.</summary>
    LightGbm,

    /// <summary>ML.NET's FastTree (MART) binary trainer.</summary>
    FastTree,
}
