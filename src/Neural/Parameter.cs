namespace Flow.Neural;

/// <summary>A trainable tensor and the gradient accumulated for it.</summary>
public sealed class Parameter
{
    internal Parameter(string name, Tensor value)
    {
        Name = name;
        Value = value;
        Gradient = new Tensor([.. value.Shape]);
    }

    /// <summary>Gets the parameter's name inside its layer, such as <c>weight</c> or <c>bias</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the current value.</summary>
    public Tensor Value { get; }

    /// <summary>Gets the gradient; backward passes add to it until it is cleared.</summary>
    /// <remarks>The data-parallel trainer points it at a chunk's own gradient storage while a replica
    /// runs that chunk, and back before <see cref="DataParallelTrainer.TrainStep"/> returns.</remarks>
    public Tensor Gradient { get; internal set; }

    /// <summary>Bumped whenever the library changes <see cref="Value"/> (optimizer steps, copies), so layers can keep derived copies.</summary>
    internal int Version { get; set; }
}
