using System.Runtime.Intrinsics;
using CsCheck;
using Hubel.Backends.Cpu;

namespace Hubel.Tests.Backends;

/// <summary>Every float32 micro-kernel (Vector512 too: where it is not hardware it is emulated, slowly but exactly) through
/// the blocked GEMM, against a float64 product, for random shapes, all four transpose combinations, accumulation and
/// leading dimensions wider than the rows; plus the block boundaries (MC, KC, NC) and thread-count independence.</summary>
public class GemmKernelTests
{
    // By name: GemmKernel is internal, and xunit theories must be public.
    public static TheoryData<string> Kernels() => ["Vector512", "Vector256", "Vector128", "Scalar"];

    private sealed record Case(int M, int N, int K, bool TransA, bool TransB, bool Accumulate, int Pad, bool Parallel)
    {
        public override string ToString() =>
            $"m={M} n={N} k={K} transA={TransA} transB={TransB} accumulate={Accumulate} pad={Pad} parallel={Parallel}";
    }

    private static readonly Gen<Case> Cases =
        Gen.Select(Gen.Int[1, 60], Gen.Int[1, 70], Gen.Int[1, 300], Gen.Int[0, 15], Gen.Int[0, 3],
            (m, n, k, flags, pad) => new Case(m, n, k, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, pad, (flags & 8) != 0));

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Random_shapes_match_a_float64_product(string kernel) =>
        Cases.Sample(c => AssertMatches(Enum.Parse<GemmKernel>(kernel), c, shapePaths: false), iter: 60, threads: 1, print: c => c.ToString());

    [Fact]
    public void The_automatic_choice_with_its_shape_paths_matches_a_float64_product() =>
        Cases.Sample(c => AssertMatches(GemmKernel.Auto, c, shapePaths: true), iter: 120, threads: 1, print: c => c.ToString());

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Block_boundaries_of_MC_KC_and_NC_are_crossed_correctly(string kernelName)
    {
        var kernel = Enum.Parse<GemmKernel>(kernelName);
        // 150 rows cross MC = 144, k = 520 gives three KC = 256 steps (the last partial), n = 4100 crosses NC = 4096.
        foreach (var (m, n, k) in new[] { (150, 37, 520), (7, 4100, 3), (1, 1, 1), (1, 33, 1), (13, 1, 257) })
            foreach (int flags in new[] { 0, 1, 2, 3, 4, 7 })
                AssertMatches(kernel, new Case(m, n, k, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, 1, true), shapePaths: false);
    }

    [Fact]
    public void The_automatic_kernel_is_the_widest_accelerated_full_width_vector()
    {
        var expected = Vector512.IsHardwareAccelerated && !GemmKernels.HalfWidth512 ? GemmKernel.Vector512
            : Vector256.IsHardwareAccelerated ? GemmKernel.Vector256
            : Vector128.IsHardwareAccelerated ? GemmKernel.Vector128 : GemmKernel.Scalar;
        Assert.Equal(expected, GemmKernels.Auto);
        Assert.Equal(GemmKernels.NR(expected), GemmKernels.NR(GemmKernel.Auto));
    }

    [Theory]
    [InlineData(200, 130, 300, false, false)]
    [InlineData(40, 300, 260, true, true)]
    [InlineData(18, 500, 70, false, true)]
    // Column chunks that pack their own B slivers and reuse the A block a worker packed for an earlier chunk of the same
    // step: LeNet-5's fc1 forward, input and weight gradients at batch 64, and 170 rows (two MC blocks, packed per chunk).
    [InlineData(64, 120, 400, false, true)]
    [InlineData(64, 400, 120, false, false)]
    [InlineData(120, 400, 64, true, false)]
    [InlineData(170, 300, 300, false, false)]
    public void Splitting_over_the_cores_gives_bitwise_the_single_core_result(int m, int n, int k, bool transA, bool transB)
    {
        var (a, b, _) = Operands(new Case(m, n, k, transA, transB, false, 0, false));
        var single = new float[m * n];
        var split = new float[m * n];
        Gemm.RunF32(GemmKernel.Auto, transA, transB, m, n, k, a, transA ? m : k, b, transB ? k : n, single, n, false, parallel: false);
        Gemm.RunF32(GemmKernel.Auto, transA, transB, m, n, k, a, transA ? m : k, b, transB ? k : n, split, n, false, parallel: true);
        Assert.Equal(single, split);
        Assert.Contains(single, v => v != 0f);   // and the product was really computed
    }

    private static (float[] A, float[] B, float[] C) Operands(Case c)
    {
        var rng = new Random(c.M * 7919 + c.N * 131 + c.K);
        int rowsA = c.TransA ? c.K : c.M, colsA = c.TransA ? c.M : c.K;
        int rowsB = c.TransB ? c.N : c.K, colsB = c.TransB ? c.K : c.N;
        float[] Fill(int rows, int cols) =>
            Enumerable.Range(0, rows * (cols + c.Pad)).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        return (Fill(rowsA, colsA), Fill(rowsB, colsB), Fill(c.M, c.N));
    }

    private static void AssertMatches(GemmKernel kernel, Case c, bool shapePaths)
    {
        var (a, b, cStart) = Operands(c);
        int lda = (c.TransA ? c.M : c.K) + c.Pad, ldb = (c.TransB ? c.K : c.N) + c.Pad, ldc = c.N + c.Pad;
        var actual = (float[])cStart.Clone();
        Gemm.RunF32(kernel, c.TransA, c.TransB, c.M, c.N, c.K, a, lda, b, ldb, actual, ldc, c.Accumulate, c.Parallel, shapePaths);
        for (int i = 0; i < c.M; i++)
            for (int j = 0; j < c.N; j++)
            {
                double sum = c.Accumulate ? cStart[i * ldc + j] : 0, magnitude = Math.Abs(sum);
                for (int p = 0; p < c.K; p++)
                {
                    double x = c.TransA ? a[p * lda + i] : a[i * lda + p], y = c.TransB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += x * y;
                    magnitude += Math.Abs(x * y);
                }
                // float32 summation error grows at most like k·ε·Σ|terms|; this bound is loose by design but far below
                // any real defect (a wrong or missing term is of the size of the terms themselves).
                double tolerance = (c.K + 2) * 1.2e-7 * magnitude + 1e-6;
                Assert.True(Math.Abs(actual[i * ldc + j] - sum) <= tolerance,
                    $"{kernel}: C[{i},{j}] = {actual[i * ldc + j]}, expected {sum} ({c})");
            }
        // The padding columns of C belong to the caller and must come back untouched.
        for (int i = 0; i < c.M; i++)
            for (int j = c.N; j < ldc; j++) Assert.Equal(cStart[i * ldc + j], actual[i * ldc + j]);
    }
}
