namespace Flow.Apps.FraudScore.Features;

/// <summary>
/// The set of values (countries, categories, merchants) one card has used: a small array searched
/// linearly while it holds at most <see cref="InlineLimit"/> values, then a <see cref="HashSet{T}"/>.
/// Most cards use a handful of values, and one array (vectorized search for integers) is cheaper to
/// reach than a hash set's object, buckets and entries. A field of <see cref="CardState"/>; a mutable
/// struct on purpose (no object of its own while small).
/// </summary>
/// <typeparam name="T">The value type; equality is <see cref="IEquatable{T}"/> (ordinal for strings).</typeparam>
internal struct CardSet<T>
    where T : IEquatable<T>
{
    /// <summary>The most values kept in the array before the set moves to a hash set.</summary>
    public const int InlineLimit = 64;

    private T[]? _items;
    private int _count;
    private HashSet<T>? _overflow;

    /// <summary>The number of distinct values added.</summary>
    public readonly int Count => _overflow?.Count ?? _count;

    /// <summary>Adds <paramref name="value"/> unless it is already in the set.</summary>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> if the value was not in the set before.</returns>
    public bool AddIfMissing(T value)
    {
        if (_overflow is not null)
        {
            return _overflow.Add(value);
        }

        var items = _items;
        if (items is not null && items.AsSpan(0, _count).Contains(value))
        {
            return false;
        }

        if (items is null)
        {
            _items = items = new T[4];
        }
        else if (_count == items.Length)
        {
            if (_count == InlineLimit)
            {
                _overflow = new HashSet<T>(items) { value };
                _items = null;
                _count = 0;
                return true;
            }

            Array.Resize(ref _items, items.Length * 2);
            items = _items;
        }

        items[_count++] = value;
        return true;
    }

    /// <summary>Whether <paramref name="value"/> is in the set.</summary>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> if it was added before.</returns>
    public readonly bool Contains(T value) =>
        _overflow?.Contains(value) ?? (_items is not null && _items.AsSpan(0, _count).Contains(value));
}
