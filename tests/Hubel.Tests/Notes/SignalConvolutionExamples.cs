using Hubel.Analysis;
using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Tests.Notes.NotesAssert;

namespace Hubel.Tests.Notes;

/// <summary>One-dimensional convolution examples and convolution written as a matrix product
/// (docs/notes-examples.md E09–E11, F09, F10). A 1-D signal of length N runs as conv2d on a 1 x N image with a
/// 1 x K kernel; a true (flipped) convolution uses the reversed kernel. Derived values:
/// tools/notes/derive_examples.py. Seeds: S1 = 001_e4bcf25e35765c8d.txt, S2 = 002_6e1674edcb7ec153.txt,
/// S4 = 004_a7da2731f31c01ab.txt.</summary>
public class SignalConvolutionExamples
{
    // E09 — S1, "卷积经常用在信号处理中，用于计算信号的延迟累积": w_1 = 1, w_2 = 1/2, w_3 = 1/4 (stated), so
    // y_t = x_t + x_{t-1}/2 + x_{t-2}/4. As cross-correlation the kernel is reversed: [1/4, 1/2, 1]. The notes give no
    // signal; with x = [1,2,3,4,5] (derived): full (wide, M+K-1 = 7), narrow/valid (M-K+1 = 3), causal (2 zeros left).
    [Theory]
    [InlineData("full", new double[] { 1, 2.5, 4.25, 6, 7.75, 3.5, 1.25 })]
    [InlineData("valid", new double[] { 4.25, 6, 7.75 })]
    [InlineData("causal", new double[] { 1, 2.5, 4.25, 6, 7.75 })]
    public void E09_DelayedSignal_Weights_1_Half_Quarter(string mode, double[] expected)
    {
        Padding padding = mode switch
        {
            "full" => Padding.Full,
            "valid" => Padding.Valid,
            _ => Padding.Explicit(0, 0, 2, 0),
        };
        var y = F.Conv2d(Row(1, 2, 3, 4, 5), Row(0.25, 0.5, 1), padding: padding);
        Equal(expected, y.ToDoubleArray());
    }

    // E10 — S4, "卷积的前向计算 – 一维卷积": "掷出后二者相加为4的概率如何计算", h(4) = f(1)g(3) + f(2)g(2) + f(3)g(1)
    // (stated as the three terms, no probabilities). Derived for fair dice: the full convolution has 11 entries
    // (sums 2..12) = [1,2,3,4,5,6,5,4,3,2,1]/36, and h(4) = 3/36 = 1/12 sits at index 2.
    [Fact]
    public void E10_TwoFairDice_FullConvolution_GivesSumOf4WithProbability1Over12()
    {
        var die = Row(Enumerable.Repeat(1.0 / 6, 6).ToArray());
        var h = F.Conv2d(die, die, padding: Padding.Full).ToDoubleArray(); // the reversed die is the same die
        Equal(new double[] { 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1 }.Select(v => v / 36).ToArray(), h, 1e-15);
        Assert.Equal(1.0 / 12, h[4 - 2], 15);
        Assert.Equal(1.0, h.Sum(), 14);
    }

    // E11 — S2 §2.1.1 "稀疏交互": "每个输入单元只影响了3个输出单元（核尺寸为3时）…每个输出单元只依赖3个输入单元" (stated).
    // Derived: x = one-hot at x3 (of x1..x5), kernel [1,2,3], padding 1 → s = [0,3,2,1,0] (only s2, s3, s4 non-zero);
    // the gradient of s3 with respect to x is [0,1,2,3,0] (only x2, x3, x4).
    [Fact]
    public void E11_SparseInteractions_Kernel3_OneInputReachesExactly3Outputs()
    {
        var x = Row(0, 0, 1, 0, 0).RequireGrad();
        var s = F.Conv2d(x, Row(1, 2, 3), padding: (0, 1));
        Equal([0, 3, 2, 1, 0], s.ToDoubleArray());

        s.Backward(Row(0, 0, 1, 0, 0)); // d s3 / d x
        Equal([0, 1, 2, 3, 0], x.Grad!.ToDoubleArray());
    }

    // E14 (1-D part) — S1 "窄卷积" M-K+1, "宽卷积" M+K-1 (P = K-1), "等宽卷积" M (P = (K-1)/2), stride 1 (stated
    // formulas). Derived instance M = 5, K = 3 with all-ones signal and kernel: each output counts the overlapping taps.
    [Theory]
    [InlineData("narrow 窄卷积", 0, new double[] { 3, 3, 3 })]
    [InlineData("wide 宽卷积", 2, new double[] { 1, 2, 3, 3, 3, 2, 1 })]
    [InlineData("equal-width 等宽卷积", 1, new double[] { 2, 3, 3, 3, 2 })]
    public void E14_NarrowWideEqualWidth_M5_K3_Gives_3_7_5(string name, int padding, double[] expected)
    {
        Assert.NotEmpty(name);
        var y = F.Conv2d(Row(1, 1, 1, 1, 1), Row(1, 1, 1), padding: (0, padding));
        Assert.Equal(expected.Length, ConvArithmetic.OutputSize(5, 3, padding: padding));
        Equal(expected, y.ToDoubleArray());
    }

    // F09 — S2 §1.1.2.1: 1-D convolution as a circulant matrix product, L = M + N - 1, s = W·x_p (stated formula).
    // Derived: x = [1,2,3], w = [1,1] → L = 4; the 4x4 circulant of w_p = [1,1,0,0] times x_p = [1,2,3,0] gives
    // [1,3,5,3], which is the full true convolution (conv2d with the reversed kernel and full padding).
    [Fact]
    public void F09_CirculantMatrixProduct_EqualsFullConvolution_1_3_5_3()
    {
        double[] wp = [1, 1, 0, 0];
        const int l = 4;
        var circulant = Tensor.FromArray(Matrix(l, l, (i, j) => wp[((i - j) % l + l) % l]));
        var xp = Tensor.FromArray([1.0, 2, 3, 0], [l, 1]);
        Equal([1, 3, 5, 3], F.MatMul(circulant, xp).ToDoubleArray());
        Equal([1, 3, 5, 3], F.Conv2d(Row(1, 2, 3), Row(1, 1), padding: Padding.Full).ToDoubleArray());
    }

    // F10 — S2 §1.1.2.2: 2-D convolution as a doubly block-circulant matrix, M = M_I + M_K - 1, N = N_I + N_K - 1
    // (stated formula). Derived: x = [[5,6],[7,8]], k = [[1,2],[3,4]] → a (9x9)·(9) product gives the full true
    // convolution [[5,16,12],[22,60,40],[21,52,32]], equal to conv2d(x, rot180(k), full padding).
    [Fact]
    public void F10_DoublyBlockCirculantMatrixProduct_EqualsFull2dConvolution()
    {
        double[,] x = { { 5, 6 }, { 7, 8 } }, k = { { 1, 2 }, { 3, 4 } };
        const int m = 3; // 2 + 2 - 1
        double At(double[,] a, int i, int j) => i < a.GetLength(0) && j < a.GetLength(1) ? a[i, j] : 0;
        int Mod(int v) => (v % m + m) % m;
        var c = Tensor.FromArray(Matrix(m * m, m * m, (r, q) => At(k, Mod(r / m - q / m), Mod(r % m - q % m))));
        var xp = Tensor.FromArray(Enumerable.Range(0, m * m).Select(q => At(x, q / m, q % m)).ToArray(), [m * m, 1]);
        var expected = new double[,] { { 5, 16, 12 }, { 22, 60, 40 }, { 21, 52, 32 } };
        Equal(expected, F.MatMul(c, xp).Reshape(m, m));
        Equal(expected, F.Conv2d(Image(x), Image(Rot180(k)), padding: Padding.Full));
    }
}
