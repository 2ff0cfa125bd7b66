using Hubel.Backends.Cpu;

namespace Hubel.Tests.Backends;

/// <summary>The packed GEMM and its float32 fast paths (few rows read in place; A·Bᵀ as dot-product tiles)
/// against a naive float64 product, over shapes chosen to hit every path, edge panel and K block.</summary>
public class GemmTests
{
    public static TheoryData<int, int, int, bool, bool, bool> Shapes()
    {
        var data = new TheoryData<int, int, int, bool, bool, bool>();
        (int, int, int)[] shapes =
        [
            (1, 1, 1), (6, 16, 5), (7, 17, 3), (6, 784, 25), (16, 100, 150), (25, 6, 3000), (6, 25, 3000),
            (16, 150, 3200), (5, 3, 2049), (64, 120, 400), (150, 100, 16), (13, 300, 700), (40, 33, 257), (3, 5, 0),
            // Odd sizes on each side: one and seven rows, a prime past a power of two, the row-chunk split (257 rows).
            (257, 17, 7), (7, 257, 17), (17, 7, 257), (1, 257, 1), (257, 1, 17), (200, 257, 257),
        ];
        foreach (var (m, n, k) in shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    data.Add(m, n, k, ta, tb, (m + n) % 2 == 0);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float32_matches_a_naive_product(int m, int n, int k, bool transA, bool transB, bool accumulate)
    {
        var rng = new Random(m * 131 + n * 17 + k);
        var a = Enumerable.Range(0, m * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var c = Enumerable.Range(0, m * n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var expected = Naive(a, b, c, m, n, k, transA, transB, accumulate);
        int lda = transA ? m : k, ldb = transB ? k : n;
        foreach (bool parallel in new[] { false, true })
        {
            var actual = (float[])c.Clone();
            Gemm.Run<float>(transA, transB, m, n, k, a, Math.Max(lda, 1), b, Math.Max(ldb, 1), actual, Math.Max(n, 1), accumulate, parallel);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 * (1 + Math.Sqrt(k)) * (1 + Math.Abs(expected[i])),
                    $"element {i}: {actual[i]} vs {expected[i]} (m={m} n={n} k={k} transA={transA} transB={transB} parallel={parallel})");
        }
    }

    [Theory]
    [InlineData(7, 9, 300, false, true)]
    [InlineData(20, 18, 5, true, false)]
    public void Float64_matches_a_naive_product(int m, int n, int k, bool transA, bool transB)
    {
        var rng = new Random(3);
        var a = Enumerable.Range(0, m * k).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var actual = new double[m * n];
        Gemm.Run<double>(transA, transB, m, n, k, a, transA ? m : k, b, transB ? k : n, actual, n, accumulate: false);
        var expected = Naive(a.Select(v => (float)v).ToArray(), b.Select(v => (float)v).ToArray(), new float[m * n], m, n, k, transA, transB, false);
        var exact = NaiveD(a, b, m, n, k, transA, transB);
        for (int i = 0; i < exact.Length; i++) Assert.Equal(exact[i], actual[i], 1e-12);
        Assert.Equal(expected.Length, actual.Length);
    }

    [Fact]
    public void Too_small_buffers_are_rejected_naming_the_operand()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Run<float>(false, false, 2, 2, 2, new float[3], 2, new float[4], 2, new float[4], 2, false));
        Assert.Equal("a", e.ParamName);
    }

    private static double[] Naive(float[] a, float[] b, float[] c, int m, int n, int k, bool ta, bool tb, bool acc)
    {
        var r = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = acc ? c[i * n + j] : 0;
                for (int p = 0; p < k; p++) s += (double)(ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                r[i * n + j] = s;
            }
        return r;
    }

    private static double[] NaiveD(double[] a, double[] b, int m, int n, int k, bool ta, bool tb)
    {
        var r = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++) r[i * n + j] += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
        return r;
    }
}
