using System.Numerics.Tensors;

namespace Flow.Neural;

/// <summary>
/// Updates parameters from their gradients. Keeps per-parameter state (momentum, moments), so one
/// optimizer serves one model. Create optimizers with the factory methods on <see cref="Optimizers"/>.
/// </summary>
public abstract class Optimizer
{
    private float? _maxGradientNorm;

    private protected Optimizer(LearningRateSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        Schedule = schedule;
    }

    /// <summary>Gets the learning-rate schedule.</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>Gets the number of steps taken so far.</summary>
    public int StepCount { get; private set; }

    /// <summary>
    /// Gets or sets the global L2 norm above which all gradients are scaled down together before a
    /// step (gradient clipping); <see langword="null"/> turns clipping off.
    /// </summary>
    /// <value>The default is <see langword="null"/> (no clipping).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public float? MaxGradientNorm
    {
        get => _maxGradientNorm;
        set
        {
            if (value is { } v)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(v);
            }

            _maxGradientNorm = value;
        }
    }

    /// <summary>Applies one update to every parameter from its gradient (gradients are left as they are).</summary>
    /// <param name="parameters">The parameters, in the same order at every step.</param>
    /// <exception cref="InvalidOperationException">Clipping is on and the gradients are not finite; nothing was updated.</exception>
    public void Step(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        float gradientScale = 1f;
        if (_maxGradientNorm is { } max)
        {
            double sumSquares = 0;
            foreach (Parameter p in parameters)
            {
                sumSquares += TensorPrimitives.Dot(p.Gradient.Span, p.Gradient.Span);
            }

            double norm = Math.Sqrt(sumSquares);
            if (!double.IsFinite(norm))
            {
                // A NaN norm fails every comparison: without this check the poisoned update would
                // be applied silently and every weight would become NaN.
                throw new InvalidOperationException($"the gradient norm is {norm} at step {StepCount}: a loss or layer produced non-finite gradients; the step was not applied");
            }

            if (norm > max)
            {
                gradientScale = (float)(max / norm);
            }
        }

        float rate = Schedule.RateAt(StepCount);
        for (int i = 0; i < parameters.Count; i++)
        {
            Update(i, parameters[i], rate, gradientScale);
            parameters[i].Version++;
        }

        StepCount++;
    }

    /// <summary>
    /// Updates parameters [<paramref name="start"/>, <paramref name="end"/>) as part of one step taken in
    /// parts (without clipping, which needs every gradient), for trainers whose stages update their own
    /// parameters on their own threads; <see cref="EndStepInParts"/> closes the step. Parts may run at
    /// once on disjoint ranges once a whole <see cref="Step"/> over the same parameters has created the
    /// state of every parameter (until then, updates grow shared state lists).
    /// </summary>
    internal void UpdateRange(IReadOnlyList<Parameter> parameters, int start, int end)
    {
        float rate = Schedule.RateAt(StepCount);
        for (int i = start; i < end; i++)
        {
            Update(i, parameters[i], rate, 1f);
            parameters[i].Version++;
        }
    }

    /// <summary>Closes a step whose parts were taken with <see cref="UpdateRange"/>.</summary>
    internal void EndStepInParts() => StepCount++;

    /// <summary>Updates one parameter; <paramref name="index"/> identifies its state across steps.</summary>
    private protected abstract void Update(int index, Parameter parameter, float learningRate, float gradientScale);
}
