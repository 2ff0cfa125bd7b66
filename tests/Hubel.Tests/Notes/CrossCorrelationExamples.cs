using Hubel.Analysis;
using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Tests.Notes.NotesAssert;

namespace Hubel.Tests.Notes;

/// <summary>Convolution forward examples from the lecture notes (docs/notes-examples.md section A), run through
/// <see cref="F.Conv2d"/>. "stated" = the number is printed in the notes; "derived" = computed from the notes' data
/// by tools/notes/derive_examples.py. Seeds: S0 = 000_b3d568cb3515f52b.txt, S1 = 001_e4bcf25e35765c8d.txt,
/// S2 = 002_6e1674edcb7ec153.txt, S4 = 004_a7da2731f31c01ab.txt (all in /work/shared/seeds/).</summary>
public class CrossCorrelationExamples
{
    // S4 "卷积的前向计算 – 单入单出的二维卷积": input A and kernel K1 (stated).
    internal static readonly double[,] A = { { 2, 5, 0, 1 }, { 6, 7, 1, 2 }, { 3, 0, 4, 0 }, { 3, 9, 7, 4 } };
    internal static readonly double[,] K1 = { { 1, 0, 1 }, { -1, 1, 0 }, { 0, 1, -1 } };

    // S4 "步长不为1时的梯度矩阵还原": input B (stated).
    internal static readonly double[,] B =
        { { 1, 3, 0, 2, 4 }, { 4, 7, 4, 1, 0 }, { 4, 6, 0, 0, 6 }, { 3, 2, 8, 1, 2 }, { 3, 5, 0, 7, 3 } };

    // E01 — S4 004_a7da2731f31c01ab.txt, "卷积的前向计算 – 单入单出的二维卷积" (图17-13): the notes print every
    // step (−1, 4, 6, 16) and conclude "在实现卷积操作时，并不会反转卷积核" (the kernel is not flipped). Stated.
    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void E01_FourByFour_CrossCorrelatedWith3x3_Gives_Minus1_4_6_16(DType dtype)
    {
        var y = F.Conv2d(Image(A, dtype), Image(K1, dtype));
        Equal(new double[,] { { -1, 4 }, { 6, 16 } }, y);
    }

    // E02 — S4, "卷积的前向计算 – 单入多出的升维卷积" (图17-13): two kernels in parallel give two 2x2 maps.
    // Stated: channel 0 = [[-1,4],[6,16]], channel 1 = [[16,-6],[7,11]]. Derived: K2 == rot180(K1).
    [Fact]
    public void E02_OneInputTwoKernels_GivesTwoChannels_AndK2IsRot180OfK1()
    {
        double[,] k2 = { { -1, 1, 0 }, { 0, 1, -1 }, { 1, 0, 1 } };
        Equal(k2, Rot180(K1), tolerance: 0);
        var w = Tensor.FromArray([.. K1.Cast<double>(), .. k2.Cast<double>()], [2, 1, 3, 3]);
        var y = F.Conv2d(Image(A), w);
        Shape([1, 2, 2, 2], y);
        Equal(new double[,] { { -1, 4 }, { 6, 16 } }, y, c: 0);
        Equal(new double[,] { { 16, -6 }, { 7, 11 } }, y, c: 1);
    }

    // E03 — S4, "步长不为1时的梯度矩阵还原": B ⋆ K1 with stride 2 and stride 1. Stated:
    // stride 2 → [[10,-5],[8,3]]; stride 1 → [[10,2,-5],[4,9,3],[8,5,3]]; the stride-2 map "补上一个十字"
    // (with a cross of zeros inserted) is the stride-1 map at the even positions.
    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void E03_FiveByFive_Stride2_Gives_10_Minus5_8_3_AndStride1_Gives3x3(DType dtype)
    {
        var s2 = F.Conv2d(Image(B, dtype), Image(K1, dtype), stride: 2);
        var s1 = F.Conv2d(Image(B, dtype), Image(K1, dtype), stride: 1);
        Equal(new double[,] { { 10, -5 }, { 8, 3 } }, s2);
        Equal(new double[,] { { 10, 2, -5 }, { 4, 9, 3 }, { 8, 5, 3 } }, s1);
        Equal(Plane(s2), Plane(s1.Slice(2, 0, 3, 2).Slice(3, 0, 3, 2)), tolerance: 0);
        Assert.Equal(2, ConvArithmetic.OutputSize(5, 3, stride: 2));
        Assert.Equal(3, ConvArithmetic.OutputSize(5, 3, stride: 1));
    }

    // E04 — S1 001_e4bcf25e35765c8d.txt, the 2-D convolution y_ij = Σ_u Σ_v w_uv x_{i-u+1, j-v+1},
    // "可以参考下面的算例": the mathematical (flipped-kernel) convolution. Stated: [[0,-2,-1],[2,2,4],[-1,0,0]].
    // True convolution = cross-correlation with rot180(W); the unflipped cross-correlation gives the negation (derived).
    [Fact]
    public void E04_TrueConvolution_IsConv2dWithRot180Kernel_Gives_0_Minus2_Minus1()
    {
        double[,] x = { { 1, 1, 1, 1, 1 }, { -1, 0, -3, 0, 1 }, { 2, 1, 1, -1, 0 }, { 0, -1, 1, 2, 1 }, { 1, 2, 1, 1, 1 } };
        double[,] w = { { 1, 0, 0 }, { 0, 0, 0 }, { 0, 0, -1 } };
        Equal(new double[,] { { 0, -2, -1 }, { 2, 2, 4 }, { -1, 0, 0 } }, F.Conv2d(Image(x), Image(Rot180(w))));
        Equal(new double[,] { { 0, 2, 1 }, { -2, -2, -4 }, { 1, 0, 0 } }, F.Conv2d(Image(x), Image(w)));
    }

    // E05 — S0 000_b3d568cb3515f52b.txt §5.2 "卷积如何检测边缘信息？": a 6x6 image and a 3x3 vertical-edge filter give
    // a 4x4 map whose top-left value is −5 (stated). The image and filter are only in pictures; the full matrix uses
    // the reconstruction in docs/notes-examples.md (Andrew Ng's example, consistent with −5) and is derived.
    [Fact]
    public void E05_SixBySixEdgeFilter_Gives4x4_TopLeftMinus5()
    {
        double[,] img =
        {
            { 3, 0, 1, 2, 7, 4 }, { 1, 5, 8, 9, 3, 1 }, { 2, 7, 2, 5, 1, 3 },
            { 0, 1, 3, 1, 7, 8 }, { 4, 2, 1, 6, 2, 8 }, { 2, 4, 5, 2, 3, 9 },
        };
        double[,] vertical = { { 1, 0, -1 }, { 1, 0, -1 }, { 1, 0, -1 } };
        var y = F.Conv2d(Image(img), Image(vertical));
        Assert.Equal(-5, y[0, 0, 0, 0]); // stated
        Equal(new double[,] { { -5, -4, 0, 8 }, { -10, -2, 2, 3 }, { 0, -2, -4, -7 }, { -3, -2, -3, -16 } }, y);
    }

    // E06 — S0 §5.2: "左半边全是白的，右半边全是灰的 … 结果是30。而在不是分界线的所有部分进行卷积，结果都为0".
    // Stated: 30 on the boundary, 0 elsewhere (image reconstructed as rows 10 10 10 0 0 0). Horizontal edges use the
    // filter "旋转90度" (rotated by 90°), which on the transposed image gives the transposed map.
    [Fact]
    public void E06_VerticalEdge_Gives30OnBoundary_0Elsewhere_AndRotatedFilterFindsHorizontalEdge()
    {
        var img = Matrix(6, 6, (_, j) => j < 3 ? 10 : 0);
        double[,] vertical = { { 1, 0, -1 }, { 1, 0, -1 }, { 1, 0, -1 } };
        var expected = Matrix(4, 4, (_, j) => j is 1 or 2 ? 30 : 0);
        Equal(expected, F.Conv2d(Image(img), Image(vertical)));

        double[,] horizontal = { { 1, 1, 1 }, { 0, 0, 0 }, { -1, -1, -1 } };
        var transposed = Matrix(6, 6, (i, j) => img[j, i]);
        Equal(Matrix(4, 4, (i, j) => expected[j, i]), F.Conv2d(Image(transposed), Image(horizontal)));
    }

    // E07 / F14 — S0 §5.4.4 "可分离卷积": "通过乘以向量[1，0，-1]和[1,2,1].T获得相同的内核 … 你只需要6个而不是9个参数";
    // S2 002_6e1674edcb7ec153.txt §1.2.1 gives Kx and Ky, §4.3.2 "O(w^d) … O(w×d)". A 3x1 conv followed by a 1x3 conv
    // equals the 3x3 Sobel conv (derived values on B), with 3 + 3 = 6 parameters instead of 9 (stated).
    [Theory]
    [InlineData("Kx = [1,2,1]ᵀ ⊗ [-1,0,1]", new double[] { 1, 2, 1 }, new double[] { -1, 0, 1 }, new double[] { -5, -19, 2, -3, -19, 2, 3, -6, -3 })]
    [InlineData("Ky = [1,0,-1]ᵀ ⊗ [1,2,1]", new double[] { 1, 0, -1 }, new double[] { 1, 2, 1 }, new double[] { -9, -1, 2, 7, -3, -6, 3, -6, -11 })]
    public void E07_SobelIsSeparable_ColumnThenRowEqualsFullKernel_6Versus9Parameters(string name, double[] column, double[] row, double[] onB)
    {
        Assert.NotEmpty(name);
        var full = F.Conv2d(Image(B), Image(Matrix(3, 3, (i, j) => column[i] * row[j])));
        var separable = F.Conv2d(F.Conv2d(Image(B), Tensor.FromArray(column, [1, 1, 3, 1])), Tensor.FromArray(row, [1, 1, 1, 3]));
        Equal(onB, full.ToDoubleArray());
        Equal(onB, separable.ToDoubleArray());

        long separableParams = ConvArithmetic.ConvParameters(1, 1, 3, 1, bias: false) + ConvArithmetic.ConvParameters(1, 1, 1, 3, bias: false);
        Assert.Equal(6, separableParams);
        Assert.Equal(9, ConvArithmetic.ConvParameters(1, 1, 3, 3, bias: false));
    }

    // E08 — S4, "卷积核作用": the table of nine named kernels (stated). "中心为1四周为0的过滤器，卷积后与原图相同":
    // the identity kernel with same padding returns the input exactly (stated).
    [Fact]
    public void E08_IdentityKernel_WithSamePadding_ReturnsInputExactly()
    {
        double[,] identity = { { 0, 0, 0 }, { 0, 1, 0 }, { 0, 0, 0 } };
        Equal(A, F.Conv2d(Image(A), Image(identity), padding: Padding.Same), tolerance: 0);
        Equal(A, F.Conv2d(Image(A), Image(identity), padding: 1), tolerance: 0);
    }

    // E08 — S4, "卷积核作用" (kernels stated). Derived: on a constant image c the valid output is c·sum(kernel):
    // 0 for the edge and Sobel kernels, c for sharpen and identity, −c for surround, 0.99c for the 0.11 blur.
    [Theory]
    [InlineData("sharpness 锐化", new double[] { 0, -1, 0, -1, 5, -1, 0, -1, 0 }, 1.0)]
    [InlineData("vertical edge 检测竖边", new double[] { 0, 0, 0, -1, 2, -1, 0, 0, 0 }, 0.0)]
    [InlineData("surround 周边", new double[] { 1, 1, 1, 1, -9, 1, 1, 1, 1 }, -1.0)]
    [InlineData("sobel y", new double[] { -1, -2, -1, 0, 0, 0, 1, 2, 1 }, 0.0)]
    [InlineData("nothing / identity", new double[] { 0, 0, 0, 0, 1, 0, 0, 0, 0 }, 1.0)]
    [InlineData("horizontal edge 横边检测", new double[] { 0, -1, 0, 0, 2, 0, 0, -1, 0 }, 0.0)]
    [InlineData("blur 模糊", new double[] { 0.11, 0.11, 0.11, 0.11, 0.11, 0.11, 0.11, 0.11, 0.11 }, 0.99)]
    [InlineData("sobel x", new double[] { -1, 0, 1, -2, 0, 2, -1, 0, 1 }, 0.0)]
    [InlineData("embossing 浮雕", new double[] { 2, 0, 0, 0, -1, 0, 0, 0, -1 }, 0.0)]
    public void E08_NamedKernel_OnConstantImage_GivesConstantTimesKernelSum(string name, double[] kernel, double kernelSum)
    {
        Assert.NotEmpty(name);
        const double c = 7;
        var y = F.Conv2d(Filled([1, 1, 5, 5], c), Tensor.FromArray(kernel, [1, 1, 3, 3]));
        Equal(Matrix(3, 3, (_, _) => c * kernelSum), y, tolerance: 1e-12);
    }

    // F11 — S2 §2.1.3 "等变表示": "对于卷积层, 它具有平移等变的性质" (translation equivariance, stated): S(i+Δi, j+Δj)
    // after shifting the input. Derived: A in a zero border, moved one pixel down and right, moves the whole output one
    // pixel down and right; E01's [[-1,4],[6,16]] sits where A's full windows are.
    [Fact]
    public void F11_ShiftingTheInputByOnePixel_ShiftsTheOutputByOnePixel()
    {
        double[,] Embed(int d) => Matrix(9, 9, (i, j) => i - d is >= 0 and < 4 && j - d is >= 0 and < 4 ? A[i - d, j - d] : 0);
        var y0 = Plane(F.Conv2d(Image(Embed(2)), Image(K1)));
        var y1 = F.Conv2d(Image(Embed(3)), Image(K1));
        Equal(new double[,] { { -1, 4 }, { 6, 16 } }, Matrix(2, 2, (i, j) => y0[2 + i, 2 + j]));
        Equal(Matrix(7, 7, (i, j) => i >= 1 && j >= 1 ? y0[i - 1, j - 1] : 0), y1, tolerance: 0);
    }

    // F12 / E03 — S2 §1.2.4 "降采样": a strided convolution equals the stride-1 convolution sampled every s pixels,
    // Z = Σ V_{l, j·s+m, k·s+n} K. Derived check on a 7x7 ramp with K1, strides 2 and 3.
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void F12_StridedConv_EqualsStride1ConvSubsampled(int stride)
    {
        var x = Image(Matrix(7, 7, (i, j) => (i * 7 + j) % 5 - 2));
        var dense = F.Conv2d(x, Image(K1));
        var strided = F.Conv2d(x, Image(K1), stride: stride);
        Assert.Equal(ConvArithmetic.OutputSize(7, 3, stride), strided.Size(2));
        Equal(Plane(dense.Slice(2, 0, 5, stride).Slice(3, 0, 5, stride)), strided, tolerance: 0);
    }
}
