using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.ConvNd;

/// <summary>Transposed convolution beyond the registry's PyTorch parity: it is the adjoint of the convolution with the same
/// weight, its output size follows (in-1)S - 2P + D(K-1) + outputPadding + 1, and the notes' examples (docs/notes-examples.md
/// E45, S0 §5.4.3, §5.19.2, §5.22; seed 000_b3d568cb3515f52b.txt) come out as stated.</summary>
public class ConvTransposeTests
{
    private static Tensor Rand(int[] shape, ulong seed) => Tensor.Uniform(shape, -1, 1, new Rng(seed), DType.Float64);

    private static double Dot(Tensor a, Tensor b) => a.ToDoubleArray().Zip(b.ToDoubleArray(), (x, y) => x * y).Sum();

    /// <summary>outputPadding that makes the transposed output exactly the convolution's input size.</summary>
    private static int OutPad(int input, int k, int s, int p, int d) =>
        input - ((input + 2 * p - d * (k - 1) - 1) / s * s - 2 * p + d * (k - 1) + 1);

    // <conv(x), y> = <x, convT(y)> with the same weight [Cout, Cin/groups, k] read as the transposed weight [Cin', Cout'/groups, k].
    [Theory]
    [InlineData(5, 6, 3, 3, 1, 0, 1, 1)]
    [InlineData(7, 6, 3, 2, 2, 1, 1, 1)]
    [InlineData(8, 9, 2, 3, 3, 0, 1, 1)]
    [InlineData(9, 7, 3, 3, 2, 2, 2, 1)]
    [InlineData(6, 6, 3, 3, 1, 1, 1, 2)]
    [InlineData(10, 8, 4, 3, 3, 1, 2, 2)]
    public void ConvTranspose2d_IsTheAdjointOfConv2d(int h, int w, int kh, int kw, int s, int p, int d, int groups)
    {
        int cin = 2 * groups, cout = 3 * groups;
        var x = Rand([2, cin, h, w], 1);
        var weight = Rand([cout, cin / groups, kh, kw], 2);
        var y = F.Conv2d(x, weight, stride: s, padding: p, dilation: d, groups: groups);
        var u = Rand(y.ShapeArray, 3);
        var back = F.ConvTranspose2d(u, weight, stride: s, padding: p, groups: groups, dilation: d,
            outputPadding: (OutPad(h, kh, s, p, d), OutPad(w, kw, s, p, d)));
        Assert.Equal(x.ShapeArray, back.ShapeArray);
        Assert.Equal(Dot(y, u), Dot(x, back), 10);
    }

    [Theory]
    [InlineData(7, 3, 2, 1, 1)]
    [InlineData(9, 4, 3, 0, 2)]
    public void ConvTranspose1dAnd3d_AreTheAdjointsOfConv1dAnd3d(int size, int k, int s, int p, int d)
    {
        var x1 = Rand([2, 2, size], 4);
        var w1 = Rand([3, 2, k], 5);
        var y1 = F.Conv1d(x1, w1, stride: s, padding: p, dilation: d);
        var u1 = Rand(y1.ShapeArray, 6);
        Assert.Equal(Dot(y1, u1), Dot(x1, F.ConvTranspose1d(u1, w1, stride: s, padding: p, outputPadding: OutPad(size, k, s, p, d), dilation: d)), 10);

        var x3 = Rand([1, 2, size - 2, size, size - 1], 7);
        var w3 = Rand([2, 2, k - 1, k, k], 8);
        var y3 = F.Conv3d(x3, w3, stride: s, padding: p, dilation: d);
        var u3 = Rand(y3.ShapeArray, 9);
        var op = (OutPad(size - 2, k - 1, s, p, d), OutPad(size, k, s, p, d), OutPad(size - 1, k, s, p, d));
        Assert.Equal(Dot(y3, u3), Dot(x3, F.ConvTranspose3d(u3, w3, stride: s, padding: p, outputPadding: op, dilation: d)), 10);
    }

    [Fact]
    public void OutputSize_FollowsTheFormulaForManyCases()
    {
        int checkedCases = 0;
        foreach (int input in new[] { 1, 2, 3, 5 })
            foreach (int k in new[] { 1, 2, 3, 4 })
                foreach (int s in new[] { 1, 2, 3 })
                    foreach (int d in new[] { 1, 2 })
                        foreach (int p in new[] { 0, 1, 2 })
                            for (int op = 0; op < Math.Max(s, d); op++)
                            {
                                long expected = (long)(input - 1) * s - 2 * p + d * (k - 1) + op + 1;
                                var x = Tensor.Zeros([1, 1, input, 2], DType.Float64);
                                var w = Tensor.Zeros([1, 1, k, 1], DType.Float64);
                                if (expected < 1)
                                {
                                    var e = Assert.Throws<ArgumentOutOfRangeException>(() => F.ConvTranspose2d(x, w, stride: (s, 1), padding: (p, 0), outputPadding: (op, 0), dilation: (d, 1)));
                                    Assert.Equal("padding", e.ParamName);
                                    continue;
                                }
                                var y = F.ConvTranspose2d(x, w, stride: (s, 1), padding: (p, 0), outputPadding: (op, 0), dilation: (d, 1));
                                Assert.Equal([1, 1, (int)expected, 2], y.ShapeArray);
                                Assert.Equal(expected, F.ConvTranspose1d(Tensor.Zeros([1, 1, input], DType.Float64), w.Reshape(1, 1, k),
                                    stride: s, padding: p, outputPadding: op, dilation: d).Size(2));
                                checkedCases++;
                            }
        Assert.True(checkedCases > 300, $"{checkedCases} cases");
    }

    // S0 §5.4.3: a 5x5 image, 3x3 kernel, stride 2, no padding gives 2x2; the transposed conv gives 5x5 back.
    // S0 §5.19.2: input 2x2, kernel 4x4, stride 3 → (2-1)·3+4 = 7x7; 3x3 with a k=3, s=2, p=1 deconvolution → 5x5.
    [Theory]
    [InlineData(2, 3, 2, 0, 5)]
    [InlineData(2, 4, 3, 0, 7)]
    [InlineData(3, 3, 2, 1, 5)]
    public void E45_OutputSizes(int input, int k, int s, int p, int expected)
    {
        var y = F.ConvTranspose2d(Tensor.Ones([1, 1, input, input], DType.Float64), Tensor.Ones([1, 1, k, k], DType.Float64), stride: s, padding: p);
        Assert.Equal([1, 1, expected, expected], y.ShapeArray);
        if (p == 0) Assert.Equal([1, 1, input, input], F.Conv2d(Tensor.Ones([1, 1, expected, expected], DType.Float64), Tensor.Ones([1, 1, k, k], DType.Float64), stride: s).ShapeArray);
    }

    // S0 §5.19.2 "输出的第1行第4列是由红色特阵图的第一行第四列与绿色特征图的第一行第一列相加得到": overlapping copies add.
    // Derived (E45): ones(2,2) ⋆ᵀ ones(4,4), stride 3 = r ⊗ r with r = [1,1,1,2,1,1,1].
    [Fact]
    public void E45_OverlapOfK4S3AddsUp()
    {
        var y = F.ConvTranspose2d(Tensor.Ones([1, 1, 2, 2], DType.Float64), Tensor.Ones([1, 1, 4, 4], DType.Float64), stride: 3);
        double[] r = [1, 1, 1, 2, 1, 1, 1];
        Assert.Equal(r.SelectMany(a => r.Select(b => a * b)).ToArray(), y.ToDoubleArray());
    }

    // S0 §5.22 checkerboard in 1-D: ones(4) ⋆ᵀ ones(3), stride 2 = [1,1,2,1,2,1,2,1,1] (uneven overlap).
    [Fact]
    public void E45_CheckerboardOfK3S2()
    {
        var y = F.ConvTranspose1d(Tensor.Ones([1, 1, 4], DType.Float64), Tensor.Ones([1, 1, 3], DType.Float64), stride: 2);
        Assert.Equal([1, 1, 2, 1, 2, 1, 2, 1, 1], y.ToDoubleArray());
    }

    // S0 §5.19.2: "3*3 … 上采样让图像变成7*7 … 3*3的卷积核 … valid卷积，得到一个5*5的图像". Zero-insert (stride 2) gives 5x5,
    // pad by K-1-P = 1 gives 7x7, a valid conv with the 180°-rotated kernel gives 5x5 = the transposed conv with k=3, s=2, p=1.
    [Fact]
    public void E45_TransposedConvIsZeroInsertPadAndConvolveWithRotatedKernel()
    {
        var x = Rand([1, 1, 3, 3], 10);
        var w = Rand([1, 1, 3, 3], 11);
        var xs = x.ToDoubleArray();
        var up = new double[7 * 7];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) up[(1 + 2 * i) * 7 + 1 + 2 * j] = xs[i * 3 + j];
        var rotated = Tensor.FromArray(w.ToDoubleArray().Reverse().ToArray(), [1, 1, 3, 3]);
        var viaConv = F.Conv2d(Tensor.FromArray(up, [1, 1, 7, 7]), rotated);
        var direct = F.ConvTranspose2d(x, w, stride: 2, padding: 1);
        Assert.Equal([1, 1, 5, 5], direct.ShapeArray);
        Tolerant(viaConv.ToDoubleArray(), direct.ToDoubleArray());
    }

    [Fact]
    public void Float32MatchesFloat64()
    {
        var x = Rand([3, 4, 5, 4], 12);
        var w = Rand([4, 3, 3, 2], 13);
        var b = Rand([6], 14);
        var y64 = F.ConvTranspose2d(x, w, b, stride: 2, padding: 1, outputPadding: 1, groups: 2);
        var y32 = F.ConvTranspose2d(x.To(DType.Float32), w.To(DType.Float32), b.To(DType.Float32), stride: 2, padding: 1, outputPadding: 1, groups: 2);
        var a = y32.ToDoubleArray();
        var e = y64.ToDoubleArray();
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - e[i]) < 1e-5, $"{i}: {a[i]} vs {e[i]}");
    }

    private static void Tolerant(double[] actual, double[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++) Assert.True(Math.Abs(actual[i] - expected[i]) < 1e-12, $"{i}: {actual[i]} vs {expected[i]}");
    }
}
