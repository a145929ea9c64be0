namespace Flow.Stages.Tabular.Training;

/// <summary>Hyper-parameters for <see cref="BinaryClassifierTrainer"/>.</summary>
public sealed class BinaryTrainingOptions
{
    private int _trees = 200;
    private int _leaves = 31;
    private double _learningRate = 0.1;
    private int _minimumExamplesPerLeaf = 20;

    /// <summary>Which trainer.</summary>
    /// <value>The default is <see cref="BinaryTrainerKind.LightGbm"/>.</value>
    public BinaryTrainerKind Kind { get; set; } = BinaryTrainerKind.LightGbm;

    /// <summary>Boosting rounds (trees).</summary>
    /// <value>The default is 200.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int NumberOfTrees
    {
        get => _trees;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(NumberOfTrees));
            _trees = value;
        }
    }

    /// <summary>Leaves per tree.</summary>
    /// <value>The default is 31.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 2.</exception>
    public int NumberOfLeaves
    {
        get => _leaves;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 2, nameof(NumberOfLeaves));
            _leaves = value;
        }
    }

    /// <summary>The shrinkage applied to each tree.</summary>
    /// <value>The default is 0.1.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in (0, 1].</exception>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            if (value is <= 0 or > 1 || double.IsNaN(value))
            {
                throw new ArgumentOutOfRangeException(nameof(LearningRate), value, "the learning rate must be in (0, 1]");
            }

            _learningRate = value;
        }
    }

    /// <summary>The fewest training examples a leaf may hold.</summary>
    /// <value>The default is 20.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MinimumExampleCountPerLeaf
    {
        get => _minimumExamplesPerLeaf;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(MinimumExampleCountPerLeaf));
            _minimumExamplesPerLeaf = value;
        }
    }

    /// <summary>The seed of ML.NET's context.</summary>
    /// <value>The default is 1.</value>
    public int Seed { get; set; } = 1;
}
