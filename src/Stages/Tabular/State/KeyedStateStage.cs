using Flow.Pipeline;

namespace Flow.Stages.Tabular.State;

/// <summary>
/// A stage that keeps one state object per key (a card, a user, a device) and computes each output
/// from the item and its key's state. Not thread-safe: give each partition its own instance
/// (see <c>PipelineBuilder.ThenPerKey</c> in <see cref="KeyedStateExtensions"/>), so one key's items are handled in order by one worker.
/// </summary>
/// <typeparam name="TIn">The input item type.</typeparam>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TState">The per-key state.</typeparam>
/// <typeparam name="TOut">The output item type.</typeparam>
public sealed class KeyedStateStage<TIn, TKey, TState, TOut> : Stage<TIn, TOut>
    where TKey : notnull
{
    private readonly Dictionary<TKey, TState> _states = [];
    private readonly Func<TIn, TKey> _keySelector;
    private readonly Func<TKey, TState> _createState;
    private readonly Func<TState, TIn, TOut> _step;

    /// <summary>Creates the stage.</summary>
    /// <param name="keySelector">The item's key.</param>
    /// <param name="createState">Creates the state of a key seen for the first time.</param>
    /// <param name="step">Computes the output from the key's state and the item, updating the state.</param>
    public KeyedStateStage(Func<TIn, TKey> keySelector, Func<TKey, TState> createState, Func<TState, TIn, TOut> step)
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(createState);
        ArgumentNullException.ThrowIfNull(step);
        _keySelector = keySelector;
        _createState = createState;
        _step = step;
    }

    /// <summary>How many keys this instance holds state for.</summary>
    public int KeyCount => _states.Count;

    /// <inheritdoc />
    public override ValueTask<TOut> ProcessAsync(TIn item, CancellationToken cancellationToken)
    {
        var key = _keySelector(item);
        if (!_states.TryGetValue(key, out var state))
        {
            state = _createState(key);
            _states.Add(key, state);
        }

        return ValueTask.FromResult(_step(state, item));
    }
}
