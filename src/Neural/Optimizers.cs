using Flow.Neural.Internal.Training;

namespace Flow.Neural;

/// <summary>Factory methods for optimizers.</summary>
public static class Optimizers
{
    /// <summary>Stochastic gradient descent with (heavy-ball) momentum: v = μ·v + g; w −= lr·v.</summary>
    /// <param name="schedule">The learning-rate schedule.</param>
    /// <param name="momentum">Momentum μ in [0, 1).</param>
    /// <returns>The optimizer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The momentum is outside [0, 1).</exception>
    public static Optimizer Sgd(LearningRateSchedule schedule, float momentum = 0.9f)
    {
        if (!(momentum >= 0f && momentum < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1)");
        }

        return new SgdOptimizer(schedule, momentum);
    }

    /// <summary>Adam (Kingma &amp; Ba) with bias correction.</summary>
    /// <param name="schedule">The learning-rate schedule.</param>
    /// <param name="beta1">Decay of the first moment, in [0, 1).</param>
    /// <param name="beta2">Decay of the second moment, in [0, 1).</param>
    /// <param name="epsilon">Added to the denominator; positive.</param>
    /// <returns>The optimizer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static Optimizer Adam(LearningRateSchedule schedule, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
    {
        if (!(beta1 >= 0f && beta1 < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1)");
        }

        if (!(beta2 >= 0f && beta2 < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1)");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epsilon);
        return new AdamOptimizer(schedule, beta1, beta2, epsilon);
    }
}
