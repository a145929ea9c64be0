namespace Flow.Neural;

/// <summary>The learning rate as a function of the optimizer step (0-based).</summary>
public abstract class LearningRateSchedule
{
    private protected LearningRateSchedule()
    {
    }

    /// <summary>Gets the learning rate for a step.</summary>
    /// <param name="stepIndex">The 0-based step number.</param>
    /// <returns>The learning rate.</returns>
    public abstract float RateAt(int stepIndex);

    /// <summary>A constant learning rate.</summary>
    /// <param name="rate">The rate; positive.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not positive.</exception>
    public static LearningRateSchedule Constant(float rate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        return new StepDecaySchedule(rate, 1f, int.MaxValue);
    }

    /// <summary>Multiplies the rate by <paramref name="factor"/> every <paramref name="stepsPerDecay"/> steps.</summary>
    /// <param name="initialRate">The rate at step 0; positive.</param>
    /// <param name="factor">The decay factor, in (0, 1].</param>
    /// <param name="stepsPerDecay">Steps between decays; positive.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static LearningRateSchedule StepDecay(float initialRate, float factor, int stepsPerDecay)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(factor);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(factor, 1f);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepsPerDecay);
        return new StepDecaySchedule(initialRate, factor, stepsPerDecay);
    }

    /// <summary>Cosine annealing from <paramref name="initialRate"/> to <paramref name="finalRate"/> over <paramref name="totalSteps"/>, then constant.</summary>
    /// <param name="initialRate">The rate at step 0; positive.</param>
    /// <param name="totalSteps">Length of the annealing; positive.</param>
    /// <param name="finalRate">The rate at and after <paramref name="totalSteps"/>; not negative.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static LearningRateSchedule Cosine(float initialRate, int totalSteps, float finalRate = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        ArgumentOutOfRangeException.ThrowIfNegative(finalRate);
        return new CosineSchedule(initialRate, totalSteps, finalRate);
    }

    private sealed class StepDecaySchedule(float initialRate, float factor, int stepsPerDecay) : LearningRateSchedule
    {
        public override float RateAt(int stepIndex) => initialRate * MathF.Pow(factor, stepIndex / stepsPerDecay);
    }

    private sealed class CosineSchedule(float initialRate, int totalSteps, float finalRate) : LearningRateSchedule
    {
        public override float RateAt(int stepIndex)
        {
            float progress = Math.Min(1f, (float)stepIndex / totalSteps);
            return finalRate + (0.5f * (initialRate - finalRate) * (1f + MathF.Cos(MathF.PI * progress)));
        }
    }
}
