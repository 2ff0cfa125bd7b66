using Hubel.Analysis;
using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Tests.Notes.NotesAssert;

namespace Hubel.Tests.Notes;

/// <summary>Output-size, padding and dilation examples (docs/notes-examples.md section B, E43, F03, F17), checked
/// twice: by <see cref="ConvArithmetic"/> and by running <see cref="F.Conv2d"/>. Size examples use an all-ones image
/// and an all-ones kernel, so each output value is the number of kernel taps that land inside the image
/// (<see cref="Overlap"/>, worked out independently of the conv kernels). Seeds: S0 = 000_b3d568cb3515f52b.txt,
/// S1 = 001_e4bcf25e35765c8d.txt, S2 = 002_6e1674edcb7ec153.txt, S3 = 003_3200e69dd95b7c53.txt,
/// S4 = 004_a7da2731f31c01ab.txt.</summary>
public class OutputSizeExamples
{
    /// <summary>Expected ones ⋆ ones: for output (i, j) the count of kernel rows and of kernel columns whose input
    /// coordinate i*s - p + m lies in [0, size).</summary>
    internal static double[,] Overlap(int h, int w, int k, int s, int p)
    {
        int Count(int o, int size) => Enumerable.Range(0, k).Count(m => o * s - p + m >= 0 && o * s - p + m < size);
        int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
        return Matrix(oh, ow, (i, j) => Count(i, h) * Count(j, w));
    }

    private static Tensor Ones(int h, int w) => Filled([1, 1, h, w], 1);

    // E13 — S4 "卷积的前向计算 – 输出结果": H_out = (H_in − H_k + 2·Padding)/Stride + 1, "如果计算出的输出图片尺寸为小数，
    // 则取整，不做四舍五入". Stated rows: 图17-17 (5−3+0)/2+1 = 2; 图17-18 (4−3+2)/1+1 = 4; 4x4 with 3x3 → 2x2.
    // Derived row: 8, 3, stride 3 → 2.67 truncates to 2 (rounding would give 3).
    [Theory]
    [InlineData(5, 3, 2, 0, 2)]
    [InlineData(4, 3, 1, 1, 4)]
    [InlineData(4, 3, 1, 0, 2)]
    [InlineData(8, 3, 3, 0, 2)]
    public void E13_OutputSizeFormula_TruncatesAndMatchesConv2d(int input, int kernel, int stride, int padding, int expected)
    {
        Assert.Equal(expected, ConvArithmetic.OutputSize(input, kernel, stride, padding));
        var y = F.Conv2d(Ones(input, input), Ones(kernel, kernel), stride: stride, padding: padding);
        Equal(Overlap(input, input, kernel, stride, padding), y);
        Assert.Equal(expected, y.Size(3));
    }

    // E14 — S0 §5.20 "不同卷积后图像大小计算？": full "原图是2X2，卷积核3X3，卷积后结果是4X4" (N1+N2−1), same N1, valid
    // (N1−N2)/S+1 (stated). S2 §1.2.2 "输入填充": full padding puts k−1 zeros at both ends (stated).
    [Theory]
    [InlineData("full", 4)]
    [InlineData("same", 2)]
    public void E14_TwoByTwoImage_3x3Kernel_Full4x4_Same2x2(string mode, int expected)
    {
        var padding = mode == "full" ? Padding.Full : Padding.Same;
        var y = F.Conv2d(Ones(2, 2), Ones(3, 3), padding: padding);
        Equal(Overlap(2, 2, 3, 1, mode == "full" ? 2 : 1), y);
        Assert.Equal(expected, y.Size(2));
        Assert.Equal(expected, ConvArithmetic.OutputSize(2, 3, padding: mode == "full" ? ConvArithmetic.FullPadding(3) : ConvArithmetic.SamePadding(3)));
    }

    // E14 — S2 §1.2.2: after d layers the width is valid m − (k−1)·d and full m + (k−1)·d (stated). Derived instance
    // m = 32, k = 5, d = 3 → 20 and 44, through three stacked convs with the centred delta kernel [0,0,1,0,0]: valid keeps
    // x[6..25]; full shifts x right by 2 per layer inside 6 zeros on each side.
    [Fact]
    public void E14_ThreeLayers_M32_K5_Valid20_Full44()
    {
        var x = Row(Enumerable.Range(1, 32).Select(v => (double)v).ToArray());
        var delta = Row(0, 0, 1, 0, 0);
        Tensor valid = x, full = x;
        for (int layer = 0; layer < 3; layer++)
        {
            valid = F.Conv2d(valid, delta);
            full = F.Conv2d(full, delta, padding: Padding.Full);
        }
        Equal(Enumerable.Range(7, 20).Select(v => (double)v).ToArray(), valid.ToDoubleArray());
        Equal([.. new double[6], .. Enumerable.Range(1, 32).Select(v => (double)v), .. new double[6]], full.ToDoubleArray());
    }

    // E15 — S0 §5.9 "卷积层和池化层有什么区别？": 96x96 images, 8x8 patches, "一直到（89，89）… 100 个集合，每个集合含有 89x89
    // 个卷积特征" (stated: 100 maps of 89x89). Derived values: an all-ones image and filter f filled with f+1 give
    // 64(f+1) everywhere in map f.
    [Fact]
    public void E15_96x96Image_8x8Patches_100Filters_Gives100Maps89x89()
    {
        Assert.Equal(89, ConvArithmetic.OutputSize(96, 8));
        var w = Tensor.FromArray(Enumerable.Range(0, 100).SelectMany(f => Enumerable.Repeat(f + 1.0, 64)).ToArray(), [100, 1, 8, 8]);
        var y = F.Conv2d(Ones(96, 96), w);
        Shape([1, 100, 89, 89], y);
        for (int f = 0; f < 100; f++) AllEqual(64.0 * (f + 1), y.Slice(1, f, f + 1), tolerance: 0);
    }

    // E16 — S3 003_3200e69dd95b7c53.txt "卷积核参数分析": 7x7 input, 3x3 filter, stride 1 "效率会变低", stride 3 "7x7 会有像素
    // 点被浪费掉", then "pad：一圈 0" (stated setting). Derived sizes: pad 0 → 5, 3, 2; pad 1 → 7, 4, 3.
    [Theory]
    [InlineData(1, 0, 5)]
    [InlineData(2, 0, 3)]
    [InlineData(3, 0, 2)]
    [InlineData(1, 1, 7)]
    [InlineData(2, 1, 4)]
    [InlineData(3, 1, 3)]
    public void E16_7x7Input_3x3Filter_StrideAndPad_GiveDerivedSizes(int stride, int padding, int expected)
    {
        Assert.Equal(expected, ConvArithmetic.OutputSize(7, 3, stride, padding));
        var y = F.Conv2d(Ones(7, 7), Ones(3, 3), stride: stride, padding: padding);
        Assert.Equal(expected, y.Size(2));
        Equal(Overlap(7, 7, 3, stride, padding), y);
    }

    // E16 — S3: with stride 3 and no padding "会有像素点被浪费掉" (pixels are wasted, stated). Derived: the windows start
    // at 0 and 3, so row 6 and column 6 are never read: the input gradient of sum(output) is 0 there.
    [Fact]
    public void E16_Stride3_WastesTheLastRowAndColumn()
    {
        var x = Ones(7, 7).RequireGrad();
        F.Conv2d(x, Ones(3, 3), stride: 3).Sum().Backward();
        Equal(Matrix(7, 7, (i, j) => i < 6 && j < 6 ? 1 : 0), x.Grad!, tolerance: 0);
    }

    // E17 — S4 "卷积的前向计算 – 卷积编程模型": "输入是三维数据 (3x32x32)", 2x3x5x5 weights, "输出为三维 (2x28x28)",
    // "每个Filter只有一个Bias值" (stated). Derived: 2·3·5·5 + 2 = 152 parameters; with all-ones input and weights and
    // biases [1, 2] every output is 75 + b.
    [Fact]
    public void E17_3x32x32_With2x3x5x5_Gives2x28x28_And152Parameters()
    {
        Assert.Equal(152, ConvArithmetic.ConvParameters(3, 2, 5, 5, bias: true));
        var y = F.Conv2d(Filled([1, 3, 32, 32], 1), Filled([2, 3, 5, 5], 1), Tensor.FromArray([1.0, 2.0], [2]));
        Shape([1, 2, 28, 28], y);
        Equal(Matrix(28, 28, (_, _) => 76), y, c: 0);
        Equal(Matrix(28, 28, (_, _) => 77), y, c: 1);
    }

    // F17 — S0 §5.14 / S1 padding choice: full padding K−1, same padding (K−1)/2 for odd K (stated formulas). Derived:
    // K = 3, 5, 7 → same 1, 2, 3 and full 2, 4, 6; Padding.Same in conv2d keeps a 9x9 input at 9x9 and equals the
    // explicit amount.
    [Theory]
    [InlineData(3, 1, 2)]
    [InlineData(5, 2, 4)]
    [InlineData(7, 3, 6)]
    public void F17_SameAndFullPadding_ForOddKernels(int kernel, int same, int full)
    {
        Assert.Equal(same, ConvArithmetic.SamePadding(kernel));
        Assert.Equal(full, ConvArithmetic.FullPadding(kernel));
        Assert.Equal(9, ConvArithmetic.OutputSize(9, kernel, padding: same));
        Assert.Equal(9 + kernel - 1, ConvArithmetic.OutputSize(9, kernel, padding: full));
        var y = F.Conv2d(Ones(9, 9), Ones(kernel, kernel), padding: Padding.Same);
        Equal(Overlap(9, 9, kernel, 1, same), y);
        Equal(Overlap(9, 9, kernel, 1, full), F.Conv2d(Ones(9, 9), Ones(kernel, kernel), padding: Padding.Full));
    }

    // E43 — S0 §5.4.2 "扩张卷积": "一个3×3卷积核的扩张率为2，它的视图与5×5卷积核相同，而只使用9个参数" (stated: 5x5 view,
    // 9 parameters). S2 §3.11 "空洞卷积": S(i,j) = Σ Σ I(i + m(d+1), j + n(d+1)) K(m,n). Erratum (docs J8): S2 says the
    // equivalent kernel is (d+1)K+1 = 7 for K = 3, d = 1; it is (d+1)(K−1)+1 = 5. Derived: X[i][j] = 5i+j,
    // K[m][n] = 3m+n+1 → the single output Σ K[m][n]·X[2m][2n] = 732.
    [Fact]
    public void E43_Dilation2_3x3Kernel_Sees5x5_With9Parameters()
    {
        Assert.Equal(5, ConvArithmetic.EffectiveKernel(3, dilation: 2));
        Assert.NotEqual((1 + 1) * 3 + 1, ConvArithmetic.EffectiveKernel(3, dilation: 2)); // the notes' (d+1)K+1 (erratum J8)
        Assert.Equal(9, ConvArithmetic.ConvParameters(1, 1, 3, 3, bias: false));
        Assert.Equal(1, ConvArithmetic.OutputSize(5, 3, dilation: 2));

        var x = Matrix(5, 5, (i, j) => 5 * i + j);
        var k = Matrix(3, 3, (m, n) => 3 * m + n + 1);
        double formula = 0;
        for (int m = 0; m < 3; m++)
            for (int n = 0; n < 3; n++) formula += k[m, n] * x[2 * m, 2 * n];
        Assert.Equal(732, formula);
        Equal(new double[,] { { 732 } }, F.Conv2d(Image(x), Image(k), dilation: 2));
    }

    // F03 — S2 §2.4: W_O = ⌊(W_I − W_K)/S_W⌋ + 1 for convolution and pooling alike, and pooling keeps C_O = C_I
    // (stated formula; the instances are E13/E16/E20/E24). Derived: on a 3-channel all-ones 9x9 input, max pooling
    // and convolution agree with the formula for every (K, S) below, and pooling keeps 3 channels.
    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(2, 1)]
    [InlineData(3, 3)]
    public void F03_ConvAndPoolOutputSize_SameFormula_PoolingKeepsChannels(int kernel, int stride)
    {
        int expected = ConvArithmetic.OutputSize(9, kernel, stride);
        Assert.Equal((9 - kernel) / stride + 1, expected);
        var pooled = F.MaxPool2d(Filled([1, 3, 9, 9], 1), kernel, stride);
        Shape([1, 3, expected, expected], pooled);
        AllEqual(1, pooled, tolerance: 0);
        var conv = F.Conv2d(Ones(9, 9), Ones(kernel, kernel), stride: stride);
        Equal(Overlap(9, 9, kernel, stride, 0), conv);
    }
}
