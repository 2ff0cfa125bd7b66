using Hubel.Analysis;
using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Tests.Notes.NotesAssert;

namespace Hubel.Tests.Notes;

/// <summary>Receptive-field examples (docs/notes-examples.md E40 and the HDC part of E43): the formula in
/// <see cref="ConvArithmetic.ReceptiveField"/> (backward recursion) and <see cref="ConvArithmetic.ReceptiveFields"/>
/// (forward form), and the same number measured through autograd: the input pixels that receive gradient from one
/// output unit. Seeds: S0 = 000_b3d568cb3515f52b.txt, S1 = 001_e4bcf25e35765c8d.txt, S2 = 002_6e1674edcb7ec153.txt,
/// S4 = 004_a7da2731f31c01ab.txt.</summary>
public class ReceptiveFieldExamples
{
    /// <summary>Extent (first to last row, equal to first to last column) of the input pixels with non-zero gradient
    /// from output (0, 0, row, col).</summary>
    private static int MeasuredField(Tensor x, Tensor y, int row, int col)
    {
        var oneHot = Tensor.FromArray(Enumerable.Range(0, y.Numel).Select(i => i == row * y.Size(3) + col ? 1.0 : 0.0).ToArray(), y.Shape.ToArray());
        y.Backward(oneHot);
        var g = Plane(x.Grad!);
        var rows = Enumerable.Range(0, g.GetLength(0)).Where(i => Enumerable.Range(0, g.GetLength(1)).Any(j => g[i, j] != 0)).ToList();
        var cols = Enumerable.Range(0, g.GetLength(1)).Where(j => Enumerable.Range(0, g.GetLength(0)).Any(i => g[i, j] != 0)).ToList();
        Assert.Equal(rows[^1] - rows[0], cols[^1] - cols[0]);
        return rows[^1] - rows[0] + 1;
    }

    // E40 — S1 "那么如何计算感受野的大小": RF_i = (RF_{i+1} − 1) × s_i + K_i, the last layer's RF equals its kernel size
    // (stated). S1/S4: two 3x3 → 5, three 3x3 → 7 (stated). S2 §3.11: "4 个池化层，每个池化层的尺寸为 2、步长为 2" … 2^4 = 16
    // (stated). Extra derived checks: two 5x5 → 9; 3x3, 5x5, 11x11 → 17. Rows: kernels, strides, RF after each layer.
    [Theory]
    [InlineData(new[] { 3, 3 }, new[] { 1, 1 }, new long[] { 3, 5 })]
    [InlineData(new[] { 3, 3, 3 }, new[] { 1, 1, 1 }, new long[] { 3, 5, 7 })]
    [InlineData(new[] { 2, 2, 2, 2 }, new[] { 2, 2, 2, 2 }, new long[] { 2, 4, 8, 16 })]
    [InlineData(new[] { 5, 5 }, new[] { 1, 1 }, new long[] { 5, 9 })]
    [InlineData(new[] { 3, 5, 11 }, new[] { 1, 1, 1 }, new long[] { 3, 7, 17 })]
    public void E40_ReceptiveField_BackwardRecursionAndForwardFormAgree(int[] kernels, int[] strides, long[] perLayer)
    {
        var layers = kernels.Zip(strides).ToList();
        Assert.Equal(perLayer[^1], ConvArithmetic.ReceptiveField(layers));
        Assert.Equal(perLayer, ConvArithmetic.ReceptiveFields(layers));
        Assert.Equal(kernels[^1], ConvArithmetic.ReceptiveField(layers.TakeLast(1))); // "最后一层…等于卷积核的大小"
    }

    // E40 / E39 — S4 VGG "卷积堆叠等于1个" … "感受野大小不变" (stated: two 3x3 see 5x5, three see 7x7). Measured through
    // autograd: the centre output of stacked 3x3 convs on a 9x9 input draws gradient from exactly a 5x5 / 7x7 patch.
    [Theory]
    [InlineData(2, 5)]
    [InlineData(3, 7)]
    public void E40_Stacked3x3Convs_CentreOutputSeesRFxRF_ThroughAutograd(int layers, int expected)
    {
        var x = Filled([1, 1, 9, 9], 1).RequireGrad();
        var y = x;
        for (int l = 0; l < layers; l++) y = F.Conv2d(y, Filled([1, 1, 3, 3], 1));
        Assert.Equal(expected, MeasuredField(x, y, y.Size(2) / 2, y.Size(3) / 2));
    }

    // E40 — S2 §3.11: four 2x2 stride-2 pools, "小于 $2^4 = 16$ 个像素的物体信息将无法被重建" (stated). Measured: after four 2x2/2
    // average pools on 32x32, output (1,1) draws gradient from a 16x16 block, each pixel weighted 1/256.
    [Fact]
    public void E40_FourPools2x2Stride2_ReceptiveField16_ThroughAutograd()
    {
        var x = Filled([1, 1, 32, 32], 1).RequireGrad();
        var y = x;
        for (int l = 0; l < 4; l++) y = F.AvgPool2d(y, 2, 2);
        Shape([1, 1, 2, 2], y);
        Assert.Equal(16, MeasuredField(x, y, 1, 1));
        Equal(Matrix(32, 32, (i, j) => i >= 16 && j >= 16 ? 1.0 / 256 : 0), x.Grad!, tolerance: 1e-15);
    }

    // E43 — S2 §3.11 HDC (stated): rates [2,4,6] are bad (common factor 2 → gridding), [1,2,5] is good. Derived: RF of three
    // 3x3 layers with rates [1,2,5] = 1 + 2·(1+2+5) = 17, with [2,4,6] = 25; with [2,4,6] only every 2nd input pixel is used.
    // Measured through dilated convs on a 27x27 input (centre output; the gradient support has the stated extent).
    [Theory]
    [InlineData(new[] { 1, 2, 5 }, 17, 17 * 17)]
    [InlineData(new[] { 2, 4, 6 }, 25, 13 * 13)]
    public void E43_HybridDilatedConv_Rates125_Field17_Rates246_Gridded(int[] rates, int field, int pixelsUsed)
    {
        var layers = rates.Select(d => (ConvArithmetic.EffectiveKernel(3, d), 1));
        Assert.Equal(field, ConvArithmetic.ReceptiveField(layers));

        var x = Filled([1, 1, 27, 27], 1).RequireGrad();
        var y = x;
        foreach (int d in rates) y = F.Conv2d(y, Filled([1, 1, 3, 3], 1), dilation: d);
        Assert.Equal(field, MeasuredField(x, y, y.Size(2) / 2, y.Size(3) / 2));
        Assert.Equal(pixelsUsed, x.Grad!.ToDoubleArray().Count(v => v != 0));
    }
}
