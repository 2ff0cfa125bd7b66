using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Pooling;

/// <summary>Equivalences between the pooling ops that the registry's per-op checks cannot see: 3-D pooling against
/// 2-D and 1-D pooling (independent kernels), adaptive and global pooling against plain pooling and mean, LP pooling
/// against its definition, and identities (adaptive to the input size, cross-channel max with k = 1).
/// Values and gradients are compared in float64.</summary>
public class PoolingEquivalenceTests
{
    private static Tensor X(int seed, params int[] shape) => Tensor.Uniform(shape, -1, 1, new Rng((ulong)seed), DType.Float64);

    /// <summary>f(x) and d(Σ f(x)·u)/dx for a fresh leaf copy of x.</summary>
    private static (double[] Y, double[] Dx) Run(Tensor x, Func<Tensor, Tensor> f, int seed = 99)
    {
        var leaf = x.Detach().Clone().RequireGrad();
        var y = f(leaf);
        y.Backward(Tensor.Uniform(y.ShapeArray, -1, 1, new Rng((ulong)seed), DType.Float64));
        return (y.ToDoubleArray(), leaf.Grad!.ToDoubleArray());
    }

    private static void Same(Tensor x, Func<Tensor, Tensor> f, Func<Tensor, Tensor> g, double tol = 1e-12)
    {
        var (y1, d1) = Run(x, f);
        var (y2, d2) = Run(x, g);
        Assert.Equal(y1.Length, y2.Length);
        for (int i = 0; i < y1.Length; i++) Assert.True(Math.Abs(y1[i] - y2[i]) <= tol, $"output {i}: {y1[i]} vs {y2[i]}");
        for (int i = 0; i < d1.Length; i++) Assert.True(Math.Abs(d1[i] - d2[i]) <= tol, $"gradient {i}: {d1[i]} vs {d2[i]}");
    }

    [Theory]
    [InlineData(3, 2, 0, 1, false)]
    [InlineData(3, 2, 1, 1, true)]
    [InlineData(3, 1, 1, 2, false)]
    [InlineData(2, 3, 0, 1, true)]
    public void MaxPool3dWithDepthOne_EqualsMaxPool2d(int k, int s, int p, int d, bool ceil)
    {
        var x = X(1, 2, 3, 7, 8);
        Same(x, t => F.MaxPool3d(t.Reshape(2, 3, 1, 7, 8), (1, k, k), (1, s, s), (0, p, p), (1, d, d), ceil).Reshape(-1),
             t => F.MaxPool2d(t, k, s, p, d, ceil).Reshape(-1));
    }

    [Theory]
    [InlineData(3, 2, 1, false, true)]
    [InlineData(3, 2, 1, true, false)]
    [InlineData(3, 2, 1, true, true)]
    [InlineData(2, 1, 0, false, true)]
    public void AvgPool3dWithDepthOne_EqualsAvgPool2d(int k, int s, int p, bool ceil, bool countIncludePad)
    {
        var x = X(2, 2, 3, 7, 8);
        Same(x, t => F.AvgPool3d(t.Reshape(2, 3, 1, 7, 8), (1, k, k), (1, s, s), (0, p, p), ceil, countIncludePad).Reshape(-1),
             t => F.AvgPool2d(t, k, s, p, ceil, countIncludePad).Reshape(-1));
    }

    /// <summary>Pooling along depth only (H = W = 1) is 1-D pooling of the depth axis: checks the 3-D kernel's depth loop.</summary>
    [Fact]
    public void Pool3dAlongDepthOnly_Equals1dPooling()
    {
        var x = X(3, 2, 2, 11);
        Same(x, t => F.MaxPool3d(t.Reshape(2, 2, 11, 1, 1), (3, 1, 1), (2, 1, 1), (1, 0, 0), (2, 1, 1), ceilMode: true).Reshape(-1),
             t => F.MaxPool1d(t, 3, 2, 1, 2, ceilMode: true).Reshape(-1));
        Same(x, t => F.AvgPool3d(t.Reshape(2, 2, 11, 1, 1), (3, 1, 1), (2, 1, 1), (1, 0, 0), ceilMode: true, countIncludePad: false).Reshape(-1),
             t => F.AvgPool1d(t, 3, 2, 1, ceilMode: true, countIncludePad: false).Reshape(-1));
    }

    [Fact]
    public void AdaptivePoolingToTheInputSize_IsTheIdentity()
    {
        var x = X(4, 2, 3, 5, 6);
        Same(x, t => F.AdaptiveAvgPool2d(t, (5, 6)), t => t);
        Same(x, t => F.AdaptiveMaxPool2d(t, (5, 6)), t => t);
        var seq = X(5, 2, 3, 7);
        Same(seq, t => F.AdaptiveAvgPool1d(t, 7), t => t);
        Same(seq, t => F.AdaptiveMaxPool1d(t, 7), t => t);
    }

    [Fact]
    public void AdaptivePoolingWithDivisibleSizes_EqualsPlainPoolingWithKernelEqualToStride()
    {
        var x = X(6, 2, 3, 8, 9);
        Same(x, t => F.AdaptiveAvgPool2d(t, (4, 3)), t => F.AvgPool2d(t, (2, 3)));
        Same(x, t => F.AdaptiveMaxPool2d(t, (4, 3)), t => F.MaxPool2d(t, (2, 3)));
    }

    [Fact]
    public void GlobalAvgPool_IsTheMeanOverHeightAndWidth()
    {
        var x = X(7, 3, 4, 5, 7);
        Same(x, F.GlobalAvgPool2d, t => F.Mean(t, [2, 3], keepDim: true));
        Assert.Equal([3, 4, 1, 1], F.GlobalAvgPool2d(x).Shape.ToArray());
    }

    [Fact]
    public void GlobalMaxPool_IsMaxPoolingWithTheWholeImageAsKernel()
    {
        var x = X(8, 3, 4, 5, 7);
        Same(x, F.GlobalMaxPool2d, t => F.MaxPool2d(t, (5, 7)));
        Same(x, F.GlobalMaxPool2d, t => F.AdaptiveMaxPool2d(t, 1));
    }

    [Fact]
    public void AdaptiveMaxIndices_PointAtTheirValues()
    {
        var x = X(9, 2, 3, 7, 5);
        var (values, indices) = F.AdaptiveMaxPool2dWithIndices(x, (3, 2));
        var v = values.ToDoubleArray();
        var idx = indices.ToDoubleArray();
        var flat = x.ToDoubleArray();
        for (int o = 0; o < v.Length; o++) Assert.Equal(v[o], flat[o / 6 * 35 + (int)idx[o]]);
    }

    /// <summary>PyTorch's lp_pool2d: (Σ x^p)^(1/p); L2 pooling is the square root of the sum of squares.</summary>
    [Fact]
    public void L2Pooling_IsTheSquareRootOfTheSumOfSquares()
    {
        var x = X(10, 1, 2, 4, 6);
        var y = F.LpPool2d(x, 2, 2).ToDoubleArray();
        var a = x.ToDoubleArray();
        int o = 0;
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 3; j++, o++)
                {
                    double sum = 0;
                    for (int di = 0; di < 2; di++)
                        for (int dj = 0; dj < 2; dj++) sum += Math.Pow(a[c * 24 + (2 * i + di) * 6 + 2 * j + dj], 2);
                    Assert.Equal(Math.Sqrt(sum), y[o], 12);
                }
    }

    [Fact]
    public void LpPoolingWithP1OnPositiveInputs_IsSumPooling_AndLargePApproachesMax()
    {
        var x = F.AddScalar(F.Scale(X(11, 2, 2, 6, 6), 0.5), 1.0);   // values in [0.5, 1.5)
        Same(x, t => F.LpPool2d(t, 1, 3, 2), t => F.Scale(F.AvgPool2d(t, 3, 2), 9));
        var max = F.MaxPool2d(x, 2).ToDoubleArray();
        var lp = F.LpPool2d(x, 400, 2).ToDoubleArray();
        for (int i = 0; i < max.Length; i++) Assert.InRange(lp[i] / max[i], 1.0, 1.004);   // ≤ 4^(1/400)
    }

    [Fact]
    public void ChannelMaxPool_IsTheMaxOverEachGroupOfChannels()
    {
        var x = X(12, 2, 6, 3, 4);
        var y = F.ChannelMaxPool(x, 3);
        Assert.Equal([2, 2, 3, 4], y.Shape.ToArray());
        for (int n = 0; n < 2; n++)
            for (int g = 0; g < 2; g++)
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 4; j++)
                        Assert.Equal(Math.Max(x[n, 3 * g, i, j], Math.Max(x[n, 3 * g + 1, i, j], x[n, 3 * g + 2, i, j])), y[n, g, i, j]);
        Same(x, t => F.ChannelMaxPool(t, 1), t => t);
    }
}
