namespace Flow.Neural;

/// <summary>Something that trains a model one batch at a time (single worker, data-parallel or pipeline-parallel).</summary>
public interface IBatchTrainer
{
    /// <summary>Gets the model being trained (the parameters to evaluate and save).</summary>
    Sequential Model { get; }

    /// <summary>Runs forward, backward and one optimizer step on a batch.</summary>
    /// <param name="inputs">The batch of inputs.</param>
    /// <param name="targets">The matching targets.</param>
    /// <returns>The mean loss over the batch, before the step.</returns>
    float TrainStep(Tensor inputs, Tensor targets);
}
