using Flow.Neural.Internal.Threading;

namespace Flow.Neural.Tests.Training;

public class DataParallelTrainerTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void TrainStep_KReplicas20Steps_ParametersEqualSingleWorkerWithin1e5(int replicas)
    {
        var single = new SingleWorkerTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.05f), momentum: 0.9f));
        var trainer = new DataParallelTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.05f), momentum: 0.9f), replicas);

        for (int step = 0; step < 20; step++)
        {
            Tensor x = TestData.Random(100 + step, 16, 1, 8, 8);
            Tensor y = TestData.OneHot(200 + step, 16, 4);

            single.TrainStep(x, y);
            trainer.TrainStep(x, y);
        }

        AssertParametersWithin1e5(single.Model, trainer.Model);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void TrainStep_AdamWithClipping20Steps_ParametersEqualSingleWorkerWithin1e5(int replicas)
    {
        // Clipping takes the reduce phase apart from the update (the global norm comes first); Adam's
        // state is shared by the workers, each updating its own slice.
        static Optimizer Create()
        {
            Optimizer o = Optimizers.Adam(LearningRateSchedule.Constant(0.01f));
            o.MaxGradientNorm = 0.5f;
            return o;
        }

        var single = new SingleWorkerTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), Create());
        var trainer = new DataParallelTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), Create, replicas);

        for (int step = 0; step < 20; step++)
        {
            Tensor x = TestData.Random(300 + step, 15, 1, 8, 8);
            Tensor y = TestData.OneHot(400 + step, 15, 4);

            float expectedLoss = single.TrainStep(x, y);
            float actualLoss = trainer.TrainStep(x, y);
            Assert.True(Math.Abs(expectedLoss - actualLoss) <= 1e-5f * Math.Max(1f, Math.Abs(expectedLoss)), $"step {step}: loss single {expectedLoss} data-parallel {actualLoss}");
        }

        AssertParametersWithin1e5(single.Model, trainer.Model);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public void TrainStep_OneStep_ModelGradientsEqualWholeBatchWithin1e5(int replicas, bool mlp)
    {
        // The dense layers' weight gradients are computed in the update phase, one GEMM over the whole batch per
        // worker's slice of rows of dW (slices of 16-float multiples of whole rows; the MLP's last Dense(16→3)
        // weight is one 48-float block, so some of 4 workers own none of it): replica 0 ends with the batch's gradient.
        Sequential Build() => mlp ? Models.SmallMlp() : Models.SmallCnn();
        var single = new SingleWorkerTrainer(Build(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.05f))) { ChunkRows = 0 };
        var trainer = new DataParallelTrainer(Build(), Losses.SoftmaxCrossEntropy(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.05f)), replicas);
        Tensor x = mlp ? TestData.Random(7, 21, 12) : TestData.Random(7, 21, 1, 8, 8);
        Tensor y = TestData.OneHot(8, 21, mlp ? 3 : 4);

        single.TrainStep(x, y);
        trainer.TrainStep(x, y);

        for (int p = 0; p < single.Model.Parameters.Count; p++)
        {
            float[] e = single.Model.Parameters[p].Gradient.Data;
            float[] a = trainer.Model.Parameters[p].Gradient.Data;
            for (int i = 0; i < e.Length; i++)
            {
                Assert.True(Math.Abs(e[i] - a[i]) <= 1e-5f, $"gradient {p}[{i}]: whole batch {e[i]} data-parallel {a[i]}");
            }
        }
    }

    [Theory]
    [InlineData(64, 8)]
    [InlineData(128, 16)]
    [InlineData(256, 32)]
    public void TrainStep_FashionCnn_ChunksOfTheOneWorkerRuleWhenFinerThanFourPerWorker(int batch, int chunks)
    {
        // The one-worker rule cuts the Fashion CNN's batch into chunks of 8 rows; 2 workers take at least 4 chunks each.
        var trainer = new DataParallelTrainer(Flow.Neural.Data.FashionMnist.CreateCnn(), Losses.SoftmaxCrossEntropy(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.01f)), 2);
        var mlp = new DataParallelTrainer(Models.SmallMlp(), Losses.SoftmaxCrossEntropy(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.01f)), 2);

        trainer.TrainStep(TestData.Random(1, batch, 1, 28, 28), TestData.OneHot(2, batch, 10));
        mlp.TrainStep(TestData.Random(3, batch, 12), TestData.OneHot(4, batch, 3));

        Assert.Equal(chunks, trainer.LastChunkWorkers.Length);
        Assert.Equal(8, mlp.LastChunkWorkers.Length);
    }

    [Fact]
    public void TrainStep_TwoRunsOfTheSameBatches_BitIdentical()
    {
        var first = new DataParallelTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.05f), momentum: 0.9f), 2);
        var second = new DataParallelTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.05f), momentum: 0.9f), 2);

        for (int step = 0; step < 5; step++)
        {
            Tensor x = TestData.Random(500 + step, 16, 1, 8, 8);
            Tensor y = TestData.OneHot(600 + step, 16, 4);
            Assert.Equal(first.TrainStep(x, y), second.TrainStep(x, y));
        }

        for (int p = 0; p < first.Model.Parameters.Count; p++)
        {
            Assert.Equal(first.Model.Parameters[p].Value.Data, second.Model.Parameters[p].Value.Data);
        }
    }

    [Fact]
    public void TrainStep_DifferentChunkToWorkerAssignments_BitIdentical()
    {
        // A batch of 20 in 8 chunks (rows 2 and 3: two chunk sizes per replica). Two forced assignments,
        // one of them every chunk on worker 0, and the free one (workers take chunks as they come free):
        // chunk gradients summed in chunk order make all three the same to the bit.
        int[][] assignments = [[0, 0, 0, 0, 0, 0, 0, 0], [1, 0, 1, 1, 0, 1, 0, 0], [1, 1, 1, 1, 1, 1, 1, 0]];
        DataParallelTrainer NewTrainer() => new(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.05f), momentum: 0.9f), 2);
        DataParallelTrainer[] trainers = [NewTrainer(), NewTrainer(), NewTrainer(), NewTrainer()];
        for (int i = 0; i < assignments.Length; i++)
        {
            trainers[i].ChunkAssignment = assignments[i];
        }

        for (int step = 0; step < 6; step++)
        {
            Tensor x = TestData.Random(800 + step, 20, 1, 8, 8);
            Tensor y = TestData.OneHot(900 + step, 20, 4);
            float[] losses = [.. trainers.Select(t => t.TrainStep(x, y))];
            Assert.Equal(8, trainers[3].LastStepTimes.Chunks.Sum());
            Assert.All(losses, l => Assert.Equal(BitConverter.SingleToInt32Bits(losses[0]), BitConverter.SingleToInt32Bits(l)));
        }

        foreach (DataParallelTrainer t in trainers[1..])
        {
            for (int p = 0; p < t.Model.Parameters.Count; p++)
            {
                Assert.Equal(trainers[0].Model.Parameters[p].Value.Data, t.Model.Parameters[p].Value.Data);
                Assert.Equal(trainers[0].Model.Parameters[p].Gradient.Data, t.Model.Parameters[p].Gradient.Data);
            }
        }
    }

    [Fact]
    public void TrainStep_WhileTheWorkerTeamIsBusy_BitIdenticalToATeamStep()
    {
        // A step called while the shared worker team is in use (here from inside one of its parts) runs its workers'
        // parts on the thread pool instead, possibly one after the other on one thread; the arithmetic is the same,
        // so the result is the same to the bit.
        DataParallelTrainer NewTrainer() => new(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.05f), momentum: 0.9f), 2);
        DataParallelTrainer onTeam = NewTrainer(), onPool = NewTrainer();

        for (int step = 0; step < 4; step++)
        {
            Tensor x = TestData.Random(1100 + step, 24, 1, 8, 8);
            Tensor y = TestData.OneHot(1200 + step, 24, 4);
            float expected = onTeam.TrainStep(x, y);
            float actual = float.NaN;
            bool nestedRefused = false;
            // Other tests may hold the team for a moment: try until this call gets it.
            while (!WorkerTeam.Shared.TryRun(2, part =>
            {
                if (part == 0)
                {
                    nestedRefused = !WorkerTeam.Shared.TryRun(2, _ => { });
                    actual = onPool.TrainStep(x, y);
                }
            }))
            {
                Thread.Yield();
            }

            Assert.True(nestedRefused);
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(actual));
        }

        for (int p = 0; p < onTeam.Model.Parameters.Count; p++)
        {
            Assert.Equal(onTeam.Model.Parameters[p].Value.Data, onPool.Model.Parameters[p].Value.Data);
        }
    }

    [Fact]
    public void TrainStep_TwoReplicas_KeepsTheSharedTeamWarmForTheNextStep()
    {
        var trainer = new DataParallelTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.05f)), 2);
        Tensor x = TestData.Random(1400, 16, 1, 8, 8);
        Tensor y = TestData.OneHot(1401, 16, 4);
        long before = System.Diagnostics.Stopwatch.GetTimestamp();

        trainer.TrainStep(x, y);

        long warmTicks = (long)(DataParallelTrainer.KeepWarmTime.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        Assert.True(WorkerTeam.Shared.WarmUntil >= before + warmTicks, "the step did not keep the worker team warm");
    }

    [Fact]
    public void TrainStep_ChunksFail_ThrowsTheLossErrorAndTheNextStepTrains()
    {
        // Every chunk fails (targets of the wrong width): the loss's error surfaces, no parameter is updated, and every
        // replica's gradients point back at its own storage, so the next step equals a fresh trainer's first step to the bit.
        DataParallelTrainer NewTrainer() => new(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.05f)), 2);
        DataParallelTrainer failed = NewTrainer(), fresh = NewTrainer();
        Tensor x = TestData.Random(1300, 16, 1, 8, 8);
        Tensor y = TestData.OneHot(1301, 16, 4);

        var error = Assert.Throws<ArgumentException>(() => failed.TrainStep(x, TestData.OneHot(1302, 16, 5)));
        Assert.Contains("must have the same size", error.Message, StringComparison.Ordinal);

        Assert.Equal(BitConverter.SingleToInt32Bits(fresh.TrainStep(x, y)), BitConverter.SingleToInt32Bits(failed.TrainStep(x, y)));
        for (int p = 0; p < fresh.Model.Parameters.Count; p++)
        {
            Assert.Equal(fresh.Model.Parameters[p].Value.Data, failed.Model.Parameters[p].Value.Data);
        }
    }

    [Fact]
    public void TrainStep_ModelValuesReplacedBetweenSteps_EveryReplicaTrainsFromTheNewValues()
    {
        // Values written into Model between steps (here CopyParametersFrom, which marks them changed) reach every
        // replica before the next step: the steps after it still equal single-worker training within 1e-5. (Replicas
        // keeping their old copies would mix gradients taken at two points.)
        var single = new SingleWorkerTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), Optimizers.Sgd(LearningRateSchedule.Constant(0.05f), momentum: 0.9f));
        var trainer = new DataParallelTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.05f), momentum: 0.9f), 2);
        Sequential other = Models.SmallCnn(seed: 77);

        for (int step = 0; step < 6; step++)
        {
            if (step == 3)
            {
                single.Model.CopyParametersFrom(other);
                trainer.Model.CopyParametersFrom(other);
            }

            Tensor x = TestData.Random(1400 + step, 16, 1, 8, 8);
            Tensor y = TestData.OneHot(1500 + step, 16, 4);
            float expected = single.TrainStep(x, y);
            float actual = trainer.TrainStep(x, y);
            Assert.True(Math.Abs(expected - actual) <= 1e-5f * Math.Max(1f, Math.Abs(expected)), $"step {step}: loss single {expected} data-parallel {actual}");
        }

        AssertParametersWithin1e5(single.Model, trainer.Model);
    }

    [Fact]
    public void TrainStep_ModelWithDropout_ContiguousChunksPerReplica()
    {
        // Each replica draws its own dropout masks, so chunks cannot go to whichever worker is free.
        var model = new Sequential(Layers.Dense(12, 32, seed: 1), Layers.Relu(), Layers.Dropout(0.3f, seed: 2), Layers.Dense(32, 3, seed: 3));
        var trainer = new DataParallelTrainer(model, Losses.MeanSquaredError(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.05f)), 2);

        trainer.TrainStep(TestData.Random(1000, 16, 12), TestData.Random(1001, 16, 3));

        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1], trainer.LastChunkWorkers.ToArray());
    }

    [Fact]
    public void TrainStep_ChunkAssignmentOfTheWrongLength_Throws()
    {
        var trainer = new DataParallelTrainer(Models.SmallMlp(), Losses.MeanSquaredError(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.05f)), 2)
        {
            ChunkAssignment = [0, 1, 0],
        };

        var error = Assert.Throws<InvalidOperationException>(() => trainer.TrainStep(TestData.Random(1, 16, 12), TestData.Random(2, 16, 3)));
        Assert.Equal("the chunk assignment has 3 entries for 8 chunks and 2 workers", error.Message);
    }

    [Fact]
    public void LastStepTimes_AfterAStep_EachWorkerTimedInsideItsPhase()
    {
        var trainer = new DataParallelTrainer(Models.SmallCnn(), Losses.SoftmaxCrossEntropy(), () => Optimizers.Sgd(LearningRateSchedule.Constant(0.05f)), 2);

        trainer.TrainStep(TestData.Random(700, 16, 1, 8, 8), TestData.OneHot(701, 16, 4));

        var times = trainer.LastStepTimes;
        for (int r = 0; r < 2; r++)
        {
            Assert.InRange(times.Compute[r], 1, times.ComputeWall);
            Assert.InRange(times.Update[r], 1, times.UpdateWall);
        }
    }

    [Fact]
    public void TrainStep_BatchSmallerThanReplicas_Throws()
    {
        var trainer = new DataParallelTrainer(Models.SmallMlp(), Losses.MeanSquaredError(), () => Optimizers.Adam(LearningRateSchedule.Constant(0.01f)), 4);

        Assert.Throws<ArgumentException>(() => trainer.TrainStep(new Tensor(3, 12), new Tensor(3, 3)));
    }

    private static void AssertParametersWithin1e5(Sequential expected, Sequential actual)
    {
        for (int p = 0; p < expected.Parameters.Count; p++)
        {
            float[] e = expected.Parameters[p].Value.Data;
            float[] a = actual.Parameters[p].Value.Data;
            for (int i = 0; i < e.Length; i++)
            {
                Assert.True(Math.Abs(e[i] - a[i]) <= 1e-5f, $"parameter {p}[{i}]: single {e[i]} data-parallel {a[i]}");
            }
        }
    }
}
