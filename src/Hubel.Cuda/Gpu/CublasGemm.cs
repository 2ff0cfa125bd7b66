using Hubel.Cuda.Native;

namespace Hubel.Cuda.Gpu;

/// <summary>The arguments of one column-major cublasSgemm call: C = alpha op(A) op(B) + beta C.</summary>
internal readonly record struct ColumnMajorGemm(int TransA, int TransB, int M, int N, int K, bool SwapOperands, int Lda, int Ldb, int Ldc);

/// <summary>
/// Maps Hubel's row-major products onto cuBLAS's column-major SGEMM without copies: a row-major matrix read as
/// column-major is its transpose, so C = op(A) op(B) is computed as Cᵀ = op(B)ᵀ op(A)ᵀ with the operands swapped.
/// </summary>
internal static class CublasGemm
{
    /// <summary>Plans row-major C[m,n] = op(A)[m,k] · op(B)[k,n], where A is stored [m,k] (or [k,m] when
    /// <paramref name="transA"/>) and B is stored [k,n] (or [n,k] when <paramref name="transB"/>).</summary>
    public static ColumnMajorGemm Plan(int m, int n, int k, bool transA, bool transB)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(m);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        // cuBLAS computes (column-major) C' [n,m] = op'(B') [n,k] · op'(A') [k,m], where X' is X's buffer read column-major.
        return new ColumnMajorGemm(
            TransA: transB ? CublasApi.OpT : CublasApi.OpN,
            TransB: transA ? CublasApi.OpT : CublasApi.OpN,
            M: n, N: m, K: k, SwapOperands: true,
            Lda: transB ? k : n,
            Ldb: transA ? m : k,
            Ldc: n);
    }
}
