namespace Flow.Pipeline;

/// <summary>The kinds of <see cref="ErrorPolicy"/>.</summary>
public enum ErrorPolicyKind
{
    /// <summary>The run fails: one <see cref="StageFailedException"/> naming the stage and item.</summary>
    Stop,

    /// <summary>The failed item is dropped and counted; the run goes on.</summary>
    Skip,

    /// <summary>The failed item is recorded as a <see cref="Flow.Pipeline.DeadLetter"/> and dropped; the run goes on.</summary>
    DeadLetter,

    /// <summary>The item is retried with back-off; when the retries run out, a fallback policy applies.</summary>
    Retry,
}

/// <summary>
/// What a stage does when processing an item throws. Surviving items keep their order whatever
/// the policy. Create one with the static members, e.g.
/// <c>ErrorPolicy.Retry(3, TimeSpan.FromMilliseconds(50), then: ErrorPolicy.DeadLetter)</c>.
/// </summary>
public sealed class ErrorPolicy
{
    private ErrorPolicy(ErrorPolicyKind kind, int maxRetries, TimeSpan initialBackoff, double backoffMultiplier, TimeSpan maxBackoff, ErrorPolicy? fallback, Func<Exception, bool>? retryOn)
    {
        Kind = kind;
        MaxRetries = maxRetries;
        InitialBackoff = initialBackoff;
        BackoffMultiplier = backoffMultiplier;
        MaxBackoff = maxBackoff;
        Fallback = fallback;
        RetryOn = retryOn;
    }

    /// <summary>Fail the run on the first error (the default of every stage).</summary>
    public static ErrorPolicy Stop { get; } = new(ErrorPolicyKind.Stop, 0, TimeSpan.Zero, 1, TimeSpan.Zero, null, null);

    /// <summary>Drop the failed item, count it as skipped, go on.</summary>
    public static ErrorPolicy Skip { get; } = new(ErrorPolicyKind.Skip, 0, TimeSpan.Zero, 1, TimeSpan.Zero, null, null);

    /// <summary>
    /// Drop the failed item and record it (item, exception, stage, sequence) in the run's dead
    /// letters and in the handler given to <see cref="PipelineBuilder.OnDeadLetter"/>.
    /// </summary>
    public static ErrorPolicy DeadLetter { get; } = new(ErrorPolicyKind.DeadLetter, 0, TimeSpan.Zero, 1, TimeSpan.Zero, null, null);

    /// <summary>The kind of policy.</summary>
    public ErrorPolicyKind Kind { get; }

    /// <summary>For <see cref="ErrorPolicyKind.Retry"/>: how many times an item is retried after its first failure.</summary>
    public int MaxRetries { get; }

    /// <summary>For <see cref="ErrorPolicyKind.Retry"/>: the wait before the first retry.</summary>
    public TimeSpan InitialBackoff { get; }

    /// <summary>For <see cref="ErrorPolicyKind.Retry"/>: each wait is the previous one times this factor.</summary>
    public double BackoffMultiplier { get; }

    /// <summary>For <see cref="ErrorPolicyKind.Retry"/>: the longest wait between two attempts.</summary>
    public TimeSpan MaxBackoff { get; }

    /// <summary>For <see cref="ErrorPolicyKind.Retry"/>: the policy applied once the retries run out.</summary>
    public ErrorPolicy? Fallback { get; }

    /// <summary>For <see cref="ErrorPolicyKind.Retry"/>: which exceptions are retried; others go straight to the fallback.</summary>
    public Func<Exception, bool>? RetryOn { get; }

    /// <summary>
    /// Retry a failed item up to <paramref name="maxRetries"/> times, waiting
    /// <paramref name="backoff"/>, then <paramref name="backoff"/> × <paramref name="multiplier"/>, … between attempts.
    /// </summary>
    /// <param name="maxRetries">Retries after the first failure; 1 or more.</param>
    /// <param name="backoff">The first wait; zero retries at once.</param>
    /// <param name="multiplier">The growth of the wait; 1 or more.</param>
    /// <param name="maxBackoff">The longest wait; <see langword="null"/> for no limit.</param>
    /// <param name="then">The policy once retries run out; <see langword="null"/> means <see cref="Stop"/>.</param>
    /// <param name="retryOn">Which exceptions to retry; <see langword="null"/> retries all.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count or duration is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="then"/> is itself a retry policy.</exception>
    public static ErrorPolicy Retry(int maxRetries, TimeSpan backoff = default, double multiplier = 2.0, TimeSpan? maxBackoff = null, ErrorPolicy? then = null, Func<Exception, bool>? retryOn = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRetries);
        ArgumentOutOfRangeException.ThrowIfLessThan(backoff, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(multiplier, 1.0);
        if (then is { Kind: ErrorPolicyKind.Retry })
        {
            throw new ArgumentException("the fallback of a retry policy cannot be another retry policy", nameof(then));
        }

        return new ErrorPolicy(ErrorPolicyKind.Retry, maxRetries, backoff, multiplier, maxBackoff ?? TimeSpan.MaxValue, then ?? Stop, retryOn);
    }

    /// <summary>Whether this policy can drop an item (skip or dead-letter, directly or after retries).</summary>
    internal bool CanDrop => Kind is ErrorPolicyKind.Skip or ErrorPolicyKind.DeadLetter || Fallback?.CanDrop == true;

    /// <summary>The wait before retry number <paramref name="retry"/> (1-based).</summary>
    internal TimeSpan BackoffFor(int retry)
    {
        double ticks = InitialBackoff.Ticks * Math.Pow(BackoffMultiplier, retry - 1);
        return ticks >= MaxBackoff.Ticks ? MaxBackoff : TimeSpan.FromTicks((long)ticks);
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ErrorPolicyKind.Retry => $"retry({MaxRetries}, {InitialBackoff.TotalMilliseconds:0.#} ms ×{BackoffMultiplier:0.#}) then {Fallback}",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
