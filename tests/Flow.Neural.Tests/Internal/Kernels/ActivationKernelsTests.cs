using Flow.Neural.Internal.Kernels;

namespace Flow.Neural.Tests.Internal.Kernels;

public class ActivationKernelsTests
{
    [Theory]
    [InlineData("relu")]
    [InlineData("sigmoid")]
    [InlineData("tanh")]
    [InlineData("gelu")]
    public void Activation_SimdVersusScalar_EqualWithin1e5Relative(string name)
    {
        float[] x = TestData.Random(7, 1037).Data;
        for (int i = 0; i < x.Length; i++)
        {
            x[i] *= 6f;
        }

        var simd = new float[x.Length];
        var scalar = new float[x.Length];
        var t1 = new float[x.Length];
        var t2 = new float[x.Length];
        switch (name)
        {
            case "relu":
                ActivationKernels.Relu(x, simd, true);
                ActivationKernels.Relu(x, scalar, false);
                break;
            case "sigmoid":
                ActivationKernels.Sigmoid(x, simd, true);
                ActivationKernels.Sigmoid(x, scalar, false);
                break;
            case "tanh":
                ActivationKernels.Tanh(x, simd, true);
                ActivationKernels.Tanh(x, scalar, false);
                break;
            default:
                ActivationKernels.Gelu(x, simd, t1, true);
                ActivationKernels.Gelu(x, scalar, t2, false);
                break;
        }

        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(simd[i] - scalar[i]) <= 1e-5f * Math.Max(1f, Math.Abs(scalar[i])), $"{name}({x[i]}): simd {simd[i]} scalar {scalar[i]}");
        }
    }
}
