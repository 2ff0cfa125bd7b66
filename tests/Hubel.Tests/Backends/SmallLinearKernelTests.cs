using Hubel.Backends.Cpu;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Backends;

/// <summary>The few-row linear path (dot products straight from x and W, bias fused) against float64 sums, over row, column
/// and depth counts that hit every tile edge: odd rows, 1-3 leftover W rows, k below, at and past a vector multiple.</summary>
public class SmallLinearKernelTests
{
    [Theory]
    [InlineData(1, 120, 400)]   // LeNet-5 fc1, batch 1
    [InlineData(1, 10, 84)]     // fc3: k % 8 = 4
    [InlineData(1, 84, 120)]    // fc2: 8-row W blocks, 4 rows left
    [InlineData(1, 13, 9)]      // one 8-row block, 5 left, k % 8 = 1
    [InlineData(3, 17, 19)]     // the lone third row in 8-row blocks, 1 W row left
    [InlineData(2, 1, 1)]
    [InlineData(3, 5, 7)]
    [InlineData(5, 6, 8)]
    [InlineData(7, 7, 9)]
    [InlineData(10, 100, 640)]  // network3 fc1, batch 10
    [InlineData(16, 3, 33)]
    public void Matches_double_reference(int m, int n, int k)
    {
        var rng = new Rng(7);
        var x = Tensor.Normal([m, k], 0, 1, rng);
        var w = Tensor.Normal([n, k], 0, 1, rng);
        var b = Tensor.Normal([n], 0, 1, rng);
        foreach (bool withBias in new[] { true, false })
        {
            Assert.True(SmallLinearKernels.Applies(m, k) || !System.Runtime.Intrinsics.X86.Fma.IsSupported);
            var y = F.Linear(x, w, withBias ? b : null).ToDoubleArray();
            double[] xs = x.ToDoubleArray(), ws = w.ToDoubleArray(), bs = b.ToDoubleArray();
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = withBias ? bs[j] : 0;
                    for (int p = 0; p < k; p++) s += xs[i * k + p] * ws[j * k + p];
                    Assert.True(Math.Abs(y[i * n + j] - s) <= 1e-4 * (1 + Math.Sqrt(k)), $"y[{i},{j}] = {y[i * n + j]}, expected {s}");
                }
        }
    }

    [Fact]
    public void Gradients_are_those_of_the_shared_backward()
    {
        // Only the forward takes the few-row path; with an upstream of ones dW[j, p] = Σ_i x[i, p] and dx[i, p] = Σ_j W[j, p].
        var rng = new Rng(3);
        var w = Tensor.Normal([9, 21], 0, 1, rng).RequireGrad();
        var x = Tensor.Normal([3, 21], 0, 1, rng).RequireGrad();
        var bias = Tensor.Normal([9], 0, 1, rng).RequireGrad();
        F.Linear(x, w, bias).Sum().Backward();
        double[] xs = x.ToDoubleArray(), ws = w.ToDoubleArray(), dw = w.Grad!.ToDoubleArray(), dx = x.Grad!.ToDoubleArray();
        for (int p = 0; p < 21; p++)
        {
            for (int j = 0; j < 9; j++) Assert.Equal(xs[p] + xs[21 + p] + xs[42 + p], dw[j * 21 + p], 4);
            double col = 0;
            for (int j = 0; j < 9; j++) col += ws[j * 21 + p];
            for (int i = 0; i < 3; i++) Assert.Equal(col, dx[i * 21 + p], 4);
        }
        Assert.All(bias.Grad!.ToDoubleArray(), v => Assert.Equal(3.0, v, 6));
    }

    [Fact]
    public void Serial_scope_reads_one_thread_and_nests()
    {
        int before = CpuThreads.Count;
        using (CpuThreads.Serial())
        {
            Assert.Equal(1, CpuThreads.Count);
            using (CpuThreads.Serial()) Assert.Equal(1, CpuThreads.Count);
            Assert.Equal(1, CpuThreads.Count);
        }
        Assert.Equal(before, CpuThreads.Count);
    }
}
