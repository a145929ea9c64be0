namespace Flow.Neural.Internal.Kernels;

/// <summary>Which dimension of C a GEMM splits across cores (neuron-level parallelism).</summary>
internal enum GemmPartition
{
    /// <summary>Split the columns of C: a dense layer's output neurons.</summary>
    Columns,

    /// <summary>Split the rows of C: a convolution's output channels.</summary>
    Rows,
}
