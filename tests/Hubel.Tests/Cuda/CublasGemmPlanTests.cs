using Hubel.Cuda.Gpu;
using Hubel.Cuda.Native;

namespace Hubel.Tests.Cuda;

/// <summary>The row-major to column-major mapping is checked on the host: a reference column-major SGEMM
/// (what cuBLAS computes) run with the planned arguments must give the row-major product.</summary>
public class CublasGemmPlanTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void PlannedColumnMajorCallGivesTheRowMajorProduct(bool transA, bool transB)
    {
        const int m = 5, n = 7, k = 3;
        var rng = new Random(42);
        float[] a = Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        float[] b = Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        // Row-major op(A)[i,p] and op(B)[p,j] given how each is stored.
        float A(int i, int p) => transA ? a[p * m + i] : a[i * k + p];
        float B(int p, int j) => transB ? b[j * k + p] : b[p * n + j];

        var plan = CublasGemm.Plan(m, n, k, transA, transB);
        float[] c = new float[m * n];
        ColumnMajorSgemm(plan.TransA, plan.TransB, plan.M, plan.N, plan.K, b, plan.Lda, a, plan.Ldb, c, plan.Ldc);

        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double expected = 0;
                for (int p = 0; p < k; p++) expected += A(i, p) * B(p, j);
                Assert.Equal(expected, c[i * n + j], 5);
            }
    }

    [Fact]
    public void NonPositiveSizesAreRejectedByName()
    {
        Assert.Equal("m", Assert.Throws<ArgumentOutOfRangeException>(() => CublasGemm.Plan(0, 1, 1, false, false)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => CublasGemm.Plan(1, -1, 1, false, false)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => CublasGemm.Plan(1, 1, 0, false, false)).ParamName);
    }

    /// <summary>The BLAS definition: C[i + j*ldc] = sum_p op(A)[i,p] op(B)[p,j], column-major with leading dimensions.</summary>
    private static void ColumnMajorSgemm(int transA, int transB, int m, int n, int k, float[] a, int lda, float[] b, int ldb, float[] c, int ldc)
    {
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA == CublasApi.OpN ? a[i + p * lda] : a[p + i * lda];
                    float bv = transB == CublasApi.OpN ? b[p + j * ldb] : b[j + p * ldb];
                    sum += av * bv;
                }
                c[i + j * ldc] = (float)sum;
            }
    }
}
