using System.Runtime.CompilerServices;

namespace Flow.Neural.Internal.Kernels;

/// <summary>A view of a row-major matrix inside a flat array, optionally read transposed.</summary>
/// <param name="Data">The storage.</param>
/// <param name="Offset">Index of element (0, 0) of the stored matrix.</param>
/// <param name="Stride">Distance between consecutive stored rows.</param>
/// <param name="Transposed">Whether the logical matrix is the transpose of the stored one.</param>
internal readonly record struct MatrixRef(float[] Data, int Offset, int Stride, bool Transposed)
{
    /// <summary>Element (row, col) of the logical matrix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal float At(int row, int col) => Transposed ? Data[Offset + (col * Stride) + row] : Data[Offset + (row * Stride) + col];
}
