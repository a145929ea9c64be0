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
        if (_maxGradientNorm is not null)
        {
            double sumSquares = 0;
            foreach (Parameter p in parameters)
            {
                sumSquares += TensorPrimitives.Dot(p.Gradient.Span, p.Gradient.Span);
            }

            gradientScale = GradientScale(sumSquares);
        }

        float rate = BeginStep(parameters);
        for (int i = 0; i < parameters.Count; i++)
        {
            UpdateRange(i, parameters[i], 0, parameters[i].Value.Length, rate, gradientScale);
        }

        EndStep(parameters);
    }

    /// <summary>
    /// The first part of a step taken in slices (data-parallel workers each update their own range of
    /// every parameter): creates the state of every parameter and returns this step's learning rate.
    /// </summary>
    internal float BeginStep(IReadOnlyList<Parameter> parameters)
    {
        for (int i = 0; i < parameters.Count; i++)
        {
            EnsureState(i, parameters[i].Value.Length);
        }

        return Schedule.RateAt(StepCount);
    }

    /// <summary>The factor clipping applies to every gradient, given the sum of squares of all gradients.</summary>
    /// <exception cref="InvalidOperationException">The norm is not finite.</exception>
    internal float GradientScale(double sumSquares)
    {
        double norm = Math.Sqrt(sumSquares);
        if (!double.IsFinite(norm))
        {
            // A NaN norm fails every comparison: without this check the poisoned update would
            // be applied silently and every weight would become NaN.
            throw new InvalidOperationException($"the gradient norm is {norm} at step {StepCount}: a loss or layer produced non-finite gradients; the step was not applied");
        }

        return _maxGradientNorm is { } max && norm > max ? (float)(max / norm) : 1f;
    }

    /// <summary>The last part of a step: marks the parameters changed and counts the step.</summary>
    internal void EndStep(IReadOnlyList<Parameter> parameters)
    {
        for (int i = 0; i < parameters.Count; i++)
        {
            parameters[i].Version++;
        }

        StepCount++;
    }

    /// <summary>
    /// The last part of a step whose parts marked their own parameters changed (pipeline stages, which
    /// repack their weights right after updating them): counts the step.
    /// </summary>
    internal void EndStepInParts() => StepCount++;

    /// <summary>Creates (or re-creates, when the length changed) the state of parameter <paramref name="index"/>.</summary>
    private protected abstract void EnsureState(int index, int length);

    /// <summary>
    /// Updates elements [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of one
    /// parameter; <paramref name="index"/> identifies its state across steps. Ranges of one step may run on
    /// different threads at once; state must exist (<see cref="BeginStep"/>). Every element's arithmetic must
    /// not depend on the range it was updated in.
    /// </summary>
    internal void UpdateRange(int index, Parameter parameter, int start, int count, float learningRate, float gradientScale) =>
        UpdateRange(index, parameter.Value.Data, parameter.Gradient.Data, start, count, learningRate, gradientScale);

    /// <summary>
    /// As <see cref="UpdateRange(int, Parameter, int, int, float, float)"/>, with the values and the gradient given apart: a data-parallel
    /// worker updates its slice in its own replica's copy of the values from the gradient reduced into the model's.
    /// </summary>
    internal abstract void UpdateRange(int index, float[] values, float[] gradient, int start, int count, float learningRate, float gradientScale);
}
