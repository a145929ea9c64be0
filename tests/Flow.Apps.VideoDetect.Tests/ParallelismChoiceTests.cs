namespace Flow.Apps.VideoDetect.Tests;

public class ParallelismChoiceTests
{
    [Theory]
    [InlineData(1.44, 1.30, 1, 1)] // the generated MJPEG clip with BlazeFace front-128: about even
    [InlineData(1.10, 1.30, 1, 1)] // vtest.avi with front-128: about even
    [InlineData(1.10, 1.83, 1, 1)] // detection 66 % dearer: still one of each (a third thread on 2 cores costs 20 %)
    [InlineData(1.10, 1.84, 2, 1)] // detection 67 % dearer: a second replica pays
    [InlineData(1.10, 7.30, 2, 1)] // vtest.avi with back-256: detection-bound
    [InlineData(1.84, 1.10, 1, 2)] // decoding 67 % dearer: a second FFmpeg thread pays
    [InlineData(3.00, 1.00, 1, 2)] // decoding-bound
    public void FromCosts_TwoCores_OneOfEachUnlessOneSideCostsFarMore(double decodeMs, double detectMs, int replicas, int threads)
    {
        var choice = ParallelismChoice.FromCosts(decodeMs, detectMs, processorCount: 2);
        Assert.Equal((replicas, threads), (choice.DegreeOfParallelism, choice.DecoderThreads));
        Assert.True(choice.Measured);
        Assert.Equal(decodeMs, choice.DecodeMillisecondsPerFrame);
        Assert.Equal(detectMs, choice.DetectMillisecondsPerFrame);
    }

    [Theory]
    [InlineData(1.44, 1.30, 8)] // the generated clip: decoding is the bottleneck, a deeper queue absorbs the detector's stalls
    [InlineData(1.19, 1.30, 8)] // decoding's rate just under 1.1x the detector's: still decode-bound
    [InlineData(1.17, 1.30, 2)] // just over 1.1x: the detector is the bottleneck, today's short queue
    [InlineData(1.10, 1.30, 2)] // vtest.avi with front-128
    [InlineData(1.10, 7.30, 2)] // vtest.avi with back-256 (2 replicas): detection-bound, its latency must not grow
    [InlineData(3.00, 1.00, 8)] // decoding-bound with 2 FFmpeg threads
    public void FromCosts_TwoCores_PreprocessHoldsMoreOnlyWhenDecodingIsTheBottleneck(double decodeMs, double detectMs, int capacity) =>
        Assert.Equal(capacity, ParallelismChoice.FromCosts(decodeMs, detectMs, processorCount: 2).PreprocessCapacity);

    [Theory]
    [InlineData(4, 1.0, 1.0, 8)]   // 2 + 2, even rates: decode-bound side of the margin
    [InlineData(8, 1.0, 3.0, 8)]   // 6 + 2: 2 / 1.0 against 6 / 3.0, even
    [InlineData(8, 1.0, 9.0, 7)]   // 7 + 1, detection-bound: max(2, replicas)
    public void FromCosts_OtherCoreCounts_PreprocessCapacityFollowsTheBottleneck(int cores, double decodeMs, double detectMs, int capacity)
    {
        var choice = ParallelismChoice.FromCosts(decodeMs, detectMs, cores);
        Assert.Equal(capacity, choice.PreprocessCapacity);
        Assert.True(choice.PreprocessCapacity >= choice.DegreeOfParallelism);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    public void Fixed_PreprocessHoldsAboutOneFramePerReplica(int dop, int capacity) =>
        Assert.Equal(capacity, ParallelismChoice.Fixed(dop, 1, "set").PreprocessCapacity);

    [Theory]
    [InlineData(1, 5.0, 1.0, 1, 1)]  // one core: one of each
    [InlineData(4, 1.0, 1.0, 2, 2)]  // even costs: the cores split evenly
    [InlineData(4, 1.0, 3.0, 3, 1)]  // detection 3x dearer: 3 replicas, 1 thread
    [InlineData(4, 1.0, 7.3, 3, 1)]  // detection-bound: more replicas than cores would cost more than the thread they free
    [InlineData(8, 1.0, 3.0, 6, 2)]  // 8 cores, detection 3x dearer: 6 + 2
    [InlineData(4, 4.0, 1.0, 1, 3)]  // decoding 4x dearer: 1 replica, 3 threads
    public void FromCosts_OtherCoreCounts_SplitTheCoresByCost(int cores, double decodeMs, double detectMs, int replicas, int threads)
    {
        var choice = ParallelismChoice.FromCosts(decodeMs, detectMs, cores);
        Assert.Equal((replicas, threads), (choice.DegreeOfParallelism, choice.DecoderThreads));
    }

    [Fact]
    public void ToString_NamesTheSettingsAndTheFiguresBehindThem()
    {
        Assert.Equal(
            "dop 2, 1 FFmpeg decoding thread, preprocess holds 2 (measured: decode 1.10 ms/frame, detect 7.30 ms/frame)",
            ParallelismChoice.FromCosts(1.1, 7.3, 2).ToString());
        Assert.Equal(
            "dop 1, 1 FFmpeg decoding thread, preprocess holds 8 (measured: decode 1.44 ms/frame, detect 1.30 ms/frame)",
            ParallelismChoice.FromCosts(1.44, 1.3, 2).ToString());
        Assert.Equal("dop 1, 2 FFmpeg decoding threads, preprocess holds 2 (set)", ParallelismChoice.Fixed(1, 2, "set").ToString());
    }

    [Theory]
    [InlineData(0, 1, 2, "decodeMs")]
    [InlineData(1, -1, 2, "detectMs")]
    [InlineData(1, 1, 0, "processorCount")]
    public void FromCosts_NonPositiveFigure_ThrowsNamingIt(double decodeMs, double detectMs, int cores, string name) =>
        Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => ParallelismChoice.FromCosts(decodeMs, detectMs, cores)).ParamName);
}
