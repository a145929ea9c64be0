namespace Flow.Pipeline;

/// <summary>
/// The items a collect sink received, in arrival order. Read <see cref="Items"/> after the run
/// completes; during a run it holds what arrived so far.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class CollectedItems<T>
{
    private readonly List<T> _items = [];
    private readonly Lock _lock = new();

    internal CollectedItems(string stageName)
    {
        StageName = stageName;
    }

    /// <summary>The name of the collect sink.</summary>
    public string StageName { get; }

    /// <summary>Whether the sink has received its last item.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>A copy of the items received so far.</summary>
    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_lock)
            {
                return _items.ToArray();
            }
        }
    }

    internal void Add(T item)
    {
        lock (_lock)
        {
            _items.Add(item);
        }
    }

    internal void MarkComplete() => IsComplete = true;
}
