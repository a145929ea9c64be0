using BenchmarkDotNet.Attributes;
using Flow.Neural.Data;

namespace Flow.Neural.Benchmarks;

/// <summary>Neuron-, data- and pipeline-parallel training steps against one worker.</summary>
[Config(typeof(ShortJobConfig))]
public class ParallelismBenchmarks
{
    private Tensor _x = null!;
    private Tensor _y = null!;
    private SingleWorkerTrainer _single = null!;
    private SingleWorkerTrainer _neuron2 = null!;
    private DataParallelTrainer _data2 = null!;
    private PipelineParallelTrainer _pipeline = null!;

    [Params(1, 4, 8, 16)]
    public int MicroBatches { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _x = Workloads.RandomTensor(1, 128, 1, 28, 28);
        _y = Workloads.OneHot(128, 10, 2);
        _single = new SingleWorkerTrainer(Workloads.BalancedMlp(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.01f)));
        Sequential wide = Workloads.BalancedMlp();
        wide.Options = new ComputeOptions { DegreeOfParallelism = 2 };
        _neuron2 = new SingleWorkerTrainer(wide, Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.01f)));
        _data2 = new DataParallelTrainer(Workloads.BalancedMlp(), Losses.SoftmaxCrossEntropy(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.01f)), 2);
        _pipeline = new PipelineParallelTrainer(Workloads.BalancedMlp(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.01f)), 2, MicroBatches);
    }

    [Benchmark(Baseline = true)]
    public float OneWorker() => _single.TrainStep(_x, _y);

    [Benchmark]
    public float NeuronParallel2() => _neuron2.TrainStep(_x, _y);

    [Benchmark]
    public float DataParallel2() => _data2.TrainStep(_x, _y);

    [Benchmark]
    public float PipelineK2() => _pipeline.TrainStep(_x, _y);
}
