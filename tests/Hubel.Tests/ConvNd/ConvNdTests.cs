using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.ConvNd;

/// <summary>Conv1d/Conv3d and Pad beyond the registry's PyTorch parity: equivalences with Conv2d, the padding modes' worked
/// example, and the notes' hybrid dilated convolution (docs/notes-examples.md E43; S2 §3.11 "混合空洞卷积", seed
/// 002_6e1674edcb7ec153.txt): rates [1, 2, 5] of 3x3 kernels see a contiguous 17x17 field, rates [2, 4, 6] leave gaps.</summary>
public class ConvNdTests
{
    private static Tensor Rand(int[] shape, ulong seed) => Tensor.Uniform(shape, -1, 1, new Rng(seed), DType.Float64);

    private static void Close(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++) Assert.True(Math.Abs(actual[i] - expected[i]) < 1e-12, $"{i}: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void Conv1d_IsConv2dOnARowImage()
    {
        var x = Rand([2, 4, 11], 1);
        var w = Rand([6, 2, 3], 2);
        var b = Rand([6], 3);
        var y = F.Conv1d(x, w, b, stride: 2, padding: Padding.Explicit1d(2, 1), dilation: 2, groups: 2);
        var y2 = F.Conv2d(x.Reshape(2, 4, 1, 11), w.Reshape(6, 2, 1, 3), b, stride: (1, 2), padding: Padding.Explicit(0, 0, 2, 1), dilation: (1, 2), groups: 2);
        Assert.Equal([2, 6, y2.Size(3)], y.ShapeArray);
        Close(y2.ToDoubleArray(), y.ToDoubleArray());
    }

    [Fact]
    public void Conv3d_WithDepthOneIsConv2d_AndSumsConv2dOverDepthSlices()
    {
        var x = Rand([2, 3, 1, 6, 5], 4);
        var w = Rand([4, 3, 1, 3, 2], 5);
        var y = F.Conv3d(x, w, padding: Padding.Same, stride: (1, 2, 1));
        var y2 = F.Conv2d(x.Reshape(2, 3, 6, 5), w.Reshape(4, 3, 3, 2), padding: Padding.Same, stride: (2, 1));
        Close(y2.ToDoubleArray(), y.ToDoubleArray());

        // Depth 2 with a depth-2 kernel: out = conv2d(x[:, :, 0], w[:, :, 0]) + conv2d(x[:, :, 1], w[:, :, 1]).
        var xd = Rand([1, 2, 2, 4, 4], 6);
        var wd = Rand([3, 2, 2, 3, 3], 7);
        var yd = F.Conv3d(xd, wd);
        Tensor Slice(Tensor t, int d) => t.Slice(2, d, d + 1).Contiguous().Reshape(t.Size(0), t.Size(1), t.Size(3), t.Size(4));
        var sum = F.Add(F.Conv2d(Slice(xd, 0), Slice(wd, 0)), F.Conv2d(Slice(xd, 1), Slice(wd, 1)));
        Close(sum.ToDoubleArray(), yd.ToDoubleArray());
    }

    [Theory]
    [InlineData(PaddingMode.Zeros, new double[] { 0, 0, 1, 2, 3, 0, 0 })]
    [InlineData(PaddingMode.Reflect, new double[] { 3, 2, 1, 2, 3, 2, 1 })]
    [InlineData(PaddingMode.Replicate, new double[] { 1, 1, 1, 2, 3, 3, 3 })]
    [InlineData(PaddingMode.Circular, new double[] { 2, 3, 1, 2, 3, 1, 2 })]
    public void Pad_ModesOnTheDocExample(PaddingMode mode, double[] expected)
    {
        var x = Tensor.FromArray([1.0, 2, 3], [1, 1, 3]).RequireGrad();
        var y = F.Pad(x, [2, 2], mode);
        Assert.Equal(expected, y.ToDoubleArray());
        y.Backward(Tensor.Ones([1, 1, 7], DType.Float64));
        // Each input element gets one gradient per output that copies it.
        Assert.Equal(new double[] { 1, 2, 3 }.Select(v => (double)expected.Count(e => e == v)).ToArray(), x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Pad_ReflectMustBeSmallerThanTheInput_AsInPyTorch()
    {
        var x = Tensor.Zeros([1, 1, 3], DType.Float64);
        Assert.Equal([1, 1, 7], F.Pad(x, [2, 2], PaddingMode.Reflect).ShapeArray);
        Assert.Equal("pad", Assert.Throws<ArgumentOutOfRangeException>(() => F.Pad(x, [3, 0], PaddingMode.Reflect)).ParamName);
        Assert.Equal([1, 1, 9], F.Pad(x, [3, 3], PaddingMode.Circular).ShapeArray);
        Assert.Equal([1, 1, 13], F.Pad(x, [5, 5], PaddingMode.Replicate).ShapeArray);
    }

    /// <summary>Which input pixels reach the centre output of three stacked 3x3 convolutions with the given rates (through the
    /// gradient of that output; weights all 1 so nothing cancels).</summary>
    private static bool[,] Footprint(int[] rates, int size)
    {
        var x = Tensor.Ones([1, 1, size, size], DType.Float64).RequireGrad();
        var y = x;
        foreach (int r in rates) y = F.Conv2d(y, Tensor.Ones([1, 1, 3, 3], DType.Float64), dilation: r, padding: r);
        var upstream = new double[size * size];
        upstream[size / 2 * size + size / 2] = 1;
        y.Backward(Tensor.FromArray(upstream, [1, 1, size, size]));
        var g = x.Grad!.ToDoubleArray();
        var used = new bool[size, size];
        for (int i = 0; i < size * size; i++) used[i / size, i % size] = g[i] != 0;
        return used;
    }

    private static (int Lo, int Hi, int Used) Extent(bool[,] used)
    {
        int size = used.GetLength(0), lo = size, hi = -1, count = 0;
        for (int i = 0; i < size; i++)
            for (int j = 0; j < size; j++)
                if (used[i, j]) { lo = Math.Min(lo, i); hi = Math.Max(hi, i); count++; }
        return (lo, hi, count);
    }

    [Fact]
    public void HybridDilatedConvolution_Rates125_CoverAContiguousField()
    {
        var used = Footprint([1, 2, 5], 31);
        var (lo, hi, count) = Extent(used);
        Assert.Equal(17, hi - lo + 1);   // 1 + 2·(1 + 2 + 5), E43
        Assert.Equal(17 * 17, count);    // every pixel of the 17x17 square: no gaps
    }

    [Fact]
    public void HybridDilatedConvolution_Rates246_LeaveGaps()
    {
        var used = Footprint([2, 4, 6], 31);
        var (lo, hi, count) = Extent(used);
        Assert.Equal(25, hi - lo + 1);   // 1 + 2·(2 + 4 + 6)
        Assert.Equal(13 * 13, count);    // only every second row and column (the common factor 2: gridding)
    }
}
