using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Tests.Notes.NotesAssert;

namespace Hubel.Tests.Pooling;

/// <summary>The notes' pooling numbers that the new ops reach (docs/notes-examples.md E20, E23, E25, E26, E28),
/// spatial pyramid pooling, and max pooling with indices / max unpooling.
/// Seeds: S0 = 000_b3d568cb3515f52b.txt, S2 = 002_6e1674edcb7ec153.txt, S4 = 004_a7da2731f31c01ab.txt.</summary>
public class PoolingNotesAndIndexTests
{
    // S4 "池化层" / "常用池化方法": the 4x4 input of E23 (stated).
    private static readonly double[,] P = { { 1, 3, 0, 3 }, { 2, 2, 4, 1 }, { 4, 2, 0, 0 }, { 3, 3, 3, 1 } };

    private static Tensor X(int seed, params int[] shape) => Tensor.Uniform(shape, -1, 1, new Rng((ulong)seed), DType.Float64);

    // E20 — S2 §2.2 "池化层" item 3: "池化层的输入单元数量为 6，池的宽度为 3、步幅为 2，池化层的输出单元数量为 2" (stated).
    // Derived with x = [1..6]: max → [3, 5], average → [2, 4], average gradient of the sum [1/3, 1/3, 2/3, 1/3, 1/3, 0].
    [Fact]
    public void E20_OneDimensionalPooling_N6_Width3_Stride2_Gives2Outputs()
    {
        var x = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, [1, 1, 6]).RequireGrad();
        Equal([3, 5], F.MaxPool1d(x, 3, 2).ToDoubleArray());
        var avg = F.AvgPool1d(x, 3, 2);
        Equal([2, 4], avg.ToDoubleArray());
        F.Sum(avg).Backward();
        Equal([1 / 3.0, 1 / 3.0, 2 / 3.0, 1 / 3.0, 1 / 3.0, 0], x.Grad!.ToDoubleArray());
    }

    // E26 — S0 §5.9: "左侧矩阵A是20*20的矩阵要进行大小为10*10的池化…" (stated). Derived: A[i][j] = i*20+j →
    // [[94.5, 104.5], [294.5, 304.5]]. Adaptive average pooling to 2x2 gives the same 10x10 windows.
    [Fact]
    public void E26_20x20AveragePooling_IsAdaptiveAveragePoolingTo2x2()
    {
        var a = Image(Matrix(20, 20, (i, j) => i * 20 + j));
        var expected = new double[,] { { 94.5, 104.5 }, { 294.5, 304.5 } };
        Equal(expected, F.AdaptiveAvgPool2d(a, 2));
        Equal(expected, F.AvgPool2d(a, 10));
    }

    // E23/E28 — S4 "池化层的训练": upstream [[1, 2], [3, 4]] (stated) on the E23 input; derived max backward
    // [[0,1,0,0],[0,0,2,0],[3,0,0,0],[0,0,4,0]] with argmaxes (0,1), (1,2), (2,0), (3,2). Max unpooling of the upstream
    // with the pooling's indices is exactly that backward (unpooling is the adjoint of the max selection).
    [Fact]
    public void E28_MaxPoolIndicesAreTheNotesArgmaxes_AndUnpoolingTheUpstreamIsTheMaxBackward()
    {
        var (values, indices) = F.MaxPool2dWithIndices(Image(P), 2);
        Equal(new double[,] { { 3, 4 }, { 4, 3 } }, values);
        Equal(new double[,] { { 0 * 4 + 1, 1 * 4 + 2 }, { 2 * 4 + 0, 3 * 4 + 2 } }, indices);
        var upstream = Image(new double[,] { { 1, 2 }, { 3, 4 } });
        var expected = new double[,] { { 0, 1, 0, 0 }, { 0, 0, 2, 0 }, { 3, 0, 0, 0 }, { 0, 0, 4, 0 } };
        Equal(expected, F.MaxUnpool2d(upstream, indices, 2));

        var x = Leaf(P);
        F.MaxPool2d(x, 2).Backward(upstream);
        Equal(expected, x.Grad!);
    }

    // E25 — S0 §5.7.3 "空间金字塔池化": levels 1x1, 2x2, 4x4 on 256 conv5 maps → "这21个256维特征" (stated), 21 × 256 = 5376
    // (derived), whatever the conv5 size (13x13 in the paper, 14x14 in the notes' question).
    [Theory]
    [InlineData(13, 13)]
    [InlineData(14, 14)]
    [InlineData(9, 20)]
    [InlineData(4, 4)]
    [InlineData(1, 3)]
    public void E25_SpatialPyramidPooling_GivesAFixedLengthForAnyInputSize(int h, int w)
    {
        var spp = new SpatialPyramidPooling(1, 2, 4);
        var y = spp.Forward(X(h * 100 + w, 2, 256, h, w));
        Assert.Equal([2, 5376], y.Shape.ToArray());
        Assert.Equal(5376, spp.OutputFeatures(256));
        Assert.Empty(spp.Parameters());
    }

    // E25 — the notes' question: with sizeX = ⌈14/4⌉ = 4 and stride ⌊14/4⌋ = 3, row/column 13 "没有被池化操作计算在内"
    // (is never pooled). Adaptive bins [floor(i·14/4), ceil((i+1)·14/4)) cover it: a maximum placed at (13, 13) shows
    // up in the 4x4 adaptive level but not in the paper's fixed-window max pooling.
    [Fact]
    public void E25_AdaptiveBinsCoverTheLastRowThatFixedWindowsMiss()
    {
        var a = Image(Matrix(14, 14, (i, j) => i == 13 && j == 13 ? 100 : (i * 14 + j) % 7));
        Assert.Equal(100, F.AdaptiveMaxPool2d(a, 4)[0, 0, 3, 3]);
        var fixedWindows = F.MaxPool2d(a, 4, 3);
        Shape([1, 1, 4, 4], fixedWindows);
        Assert.DoesNotContain(100.0, fixedWindows.ToDoubleArray());
    }

    [Fact]
    public void SppLevelOne_EqualsGlobalMaxPooling_AndLevelsAreConcatenatedInOrder()
    {
        var x = X(3, 2, 3, 7, 9);
        var spp = F.SpatialPyramidPool(x, [1, 2, 4]);
        var global = F.GlobalMaxPool2d(x);
        var level2 = F.AdaptiveMaxPool2d(x, 2);
        var level4 = F.AdaptiveMaxPool2d(x, 4);
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(global[n, c, 0, 0], spp[n, c]);
                for (int k = 0; k < 4; k++) Assert.Equal(level2[n, c, k / 2, k % 2], spp[n, 3 + c * 4 + k]);
                for (int k = 0; k < 16; k++) Assert.Equal(level4[n, c, k / 4, k % 4], spp[n, 15 + c * 16 + k]);
            }
        Equal(global.Reshape(2, 3).ToDoubleArray(), F.SpatialPyramidPool(x, [1]).ToDoubleArray());
    }

    [Fact]
    public void SppGradient_IsTheSumOfItsLevelsGradients()
    {
        var x = X(4, 1, 2, 6, 5);
        var a = x.Clone().RequireGrad();
        F.Sum(F.SpatialPyramidPool(a, [1, 2, 3])).Backward();
        var b = x.Clone().RequireGrad();
        F.Sum(F.Add(F.Add(F.Sum(F.GlobalMaxPool2d(b)), F.Sum(F.AdaptiveMaxPool2d(b, 2))), F.Sum(F.AdaptiveMaxPool2d(b, 3)))).Backward();
        Equal(b.Grad!.ToDoubleArray(), a.Grad!.ToDoubleArray());
    }

    [Fact]
    public void MaxPoolWithIndices_MatchesMaxPool_AndIndicesPointAtTheirValues()
    {
        var x = X(5, 2, 3, 7, 6);
        var (values, indices) = F.MaxPool2dWithIndices(x, 3, 2, 1, ceilMode: true);
        Equal(F.MaxPool2d(x, 3, 2, 1, ceilMode: true).ToDoubleArray(), values.ToDoubleArray());
        var flat = x.ToDoubleArray();
        var v = values.ToDoubleArray();
        var idx = indices.ToDoubleArray();
        int perPlane = values.Size(2) * values.Size(3);
        for (int o = 0; o < v.Length; o++) Assert.Equal(v[o], flat[o / perPlane * 42 + (int)idx[o]]);
    }

    [Fact]
    public void UnpoolingKeepsOnlyTheMaxima_AndPoolingItAgainGivesTheSameValues()
    {
        var x = F.AddScalar(X(6, 2, 2, 6, 8), 2);   // positive, so the zeros unpooling adds never win a window
        var (values, indices) = F.MaxPool2dWithIndices(x, 2);
        var restored = F.MaxUnpool2d(values, indices, 2);
        Shape([2, 2, 6, 8], restored);
        Equal(values.ToDoubleArray(), F.MaxPool2d(restored, 2).ToDoubleArray());
        Assert.Equal(values.Numel, restored.ToDoubleArray().Count(r => r != 0));
    }

    [Fact]
    public void UnpoolRejectsIndicesOutsideTheOutputPlane_NamingIndices()
    {
        var (values, indices) = F.MaxPool2dWithIndices(X(7, 1, 1, 5, 5), 2);   // indices address a 5x5 plane
        var bad = F.AddScalar(F.Scale(indices, 0), 16);                       // 16 = 4·4: one past the default 4x4 output
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => F.MaxUnpool2d(values, bad, 2));
        Assert.Equal("indices", e.ParamName);
        Shape([1, 1, 5, 5], F.MaxUnpool2d(values, indices, 2, outputSize: 5));
    }

    [Fact]
    public void PoolingLayersValidateInTheirConstructors()
    {
        Assert.Equal("kernel", Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPool1d(0)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => new AvgPool1d(2, padding: 2)).ParamName);
        Assert.Equal("dilation", Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPool3d(2, dilation: (1, 0, 1))).ParamName);
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => new AvgPool3d(2, stride: 0)).ParamName);
        Assert.Equal("normType", Assert.Throws<ArgumentOutOfRangeException>(() => new LPPool2d(0, 2)).ParamName);
        Assert.Equal("normType", Assert.Throws<ArgumentOutOfRangeException>(() => new LPPool1d(double.NaN, 2)).ParamName);
        Assert.Equal("outputSize", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveAvgPool2d((2, 0))).ParamName);
        Assert.Equal("outputSize", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveMaxPool1d(0)).ParamName);
        Assert.Equal("levels", Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialPyramidPooling(1, 0)).ParamName);
        Assert.Equal("levels", Assert.Throws<ArgumentException>(() => new SpatialPyramidPooling()).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => new MaxUnpool2d(2, padding: -1)).ParamName);
        Assert.Equal("kernel", Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelMaxPool(0)).ParamName);
    }

    [Fact]
    public void PoolingLayersForwardToTheirOps()
    {
        var x = X(8, 2, 4, 6, 6);
        var seq = X(9, 2, 4, 9);
        var vol = X(10, 1, 2, 4, 6, 6);
        Equal(F.MaxPool1d(seq, 3, 2, 1).ToDoubleArray(), new MaxPool1d(3, 2, 1).Forward(seq).ToDoubleArray());
        Equal(F.AvgPool1d(seq, 3, 2).ToDoubleArray(), new AvgPool1d(3, 2).Forward(seq).ToDoubleArray());
        Equal(F.MaxPool3d(vol, 2).ToDoubleArray(), new MaxPool3d(2).Forward(vol).ToDoubleArray());
        Equal(F.AvgPool3d(vol, 3, 1, 1).ToDoubleArray(), new AvgPool3d(3, 1, 1).Forward(vol).ToDoubleArray());
        Equal(F.LpPool1d(seq, 2, 3).ToDoubleArray(), new LPPool1d(2, 3).Forward(seq).ToDoubleArray());
        Equal(F.LpPool2d(x, 2, 2).ToDoubleArray(), new LPPool2d(2, 2).Forward(x).ToDoubleArray());
        Equal(F.AdaptiveAvgPool2d(x, 3).ToDoubleArray(), new AdaptiveAvgPool2d(3).Forward(x).ToDoubleArray());
        Equal(F.AdaptiveMaxPool2d(x, 4).ToDoubleArray(), new AdaptiveMaxPool2d(4).Forward(x).ToDoubleArray());
        Equal(F.AdaptiveAvgPool1d(seq, 4).ToDoubleArray(), new AdaptiveAvgPool1d(4).Forward(seq).ToDoubleArray());
        Equal(F.AdaptiveMaxPool1d(seq, 4).ToDoubleArray(), new AdaptiveMaxPool1d(4).Forward(seq).ToDoubleArray());
        Equal(F.GlobalAvgPool2d(x).ToDoubleArray(), new GlobalAvgPool2d().Forward(x).ToDoubleArray());
        Equal(F.GlobalMaxPool2d(x).ToDoubleArray(), new GlobalMaxPool2d().Forward(x).ToDoubleArray());
        Equal(F.ChannelMaxPool(x, 2).ToDoubleArray(), new ChannelMaxPool(2).Forward(x).ToDoubleArray());
        var (v, i) = F.MaxPool2dWithIndices(x, 2);
        var unpool = new MaxUnpool2d(2);
        Equal(F.MaxUnpool2d(v, i, 2).ToDoubleArray(), unpool.Forward(v, i).ToDoubleArray());
        Assert.Throws<InvalidOperationException>(() => unpool.Forward(v));
    }
}
