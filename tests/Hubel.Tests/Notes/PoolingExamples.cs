using Hubel.Analysis;
using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Tests.Notes.NotesAssert;

namespace Hubel.Tests.Notes;

/// <summary>Pooling forward examples (docs/notes-examples.md section C and E12), run through
/// <see cref="F.MaxPool2d"/> and <see cref="F.AvgPool2d"/>. Derived values: tools/notes/derive_examples.py.
/// Seeds: S0 = 000_b3d568cb3515f52b.txt, S2 = 002_6e1674edcb7ec153.txt, S4 = 004_a7da2731f31c01ab.txt.</summary>
public class PoolingExamples
{
    // S4 "池化层" / "常用池化方法": the 4x4 input printed under "Max Pooling" and "Average Pooling" (stated).
    internal static readonly double[,] P = { { 1, 3, 0, 3 }, { 2, 2, 4, 1 }, { 4, 2, 0, 0 }, { 3, 3, 3, 1 } };

    // E23 — S4 "池化层" / "常用池化方法": input stated, outputs only in the picture. Derived: max 2x2/2 → [[3,4],[4,3]],
    // average 2x2/2 → [[2,2],[3,1]].
    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void E23_MaxAndAveragePooling2x2Stride2_On4x4(DType dtype)
    {
        Equal(new double[,] { { 3, 4 }, { 4, 3 } }, F.MaxPool2d(Image(P, dtype), 2, 2));
        Equal(new double[,] { { 2, 2 }, { 3, 1 } }, F.AvgPool2d(Image(P, dtype), 2, 2));
    }

    // E23 — S4 "池化层": "比如上图中最大值池化的4，即使向右偏一个像素，其输出值仍为4" (stated). Derived: shifting the input one
    // pixel right (zero column in, last column out) gives [[2,4],[4,3]]: both 4s stay where they were.
    [Fact]
    public void E23_MaxPooling_The4sSurviveAOnePixelShiftRight()
    {
        var shifted = Matrix(4, 4, (i, j) => j == 0 ? 0 : P[i, j - 1]);
        var y = F.MaxPool2d(Image(shifted), 2, 2);
        Equal(new double[,] { { 2, 4 }, { 4, 3 } }, y);
    }

    // E24 — S4 "池化的其他方式 … 图17-33 步长为1的池化 … stride=1, size=2x2 … 右侧的结果中，有一大堆的3和4" (stated: lots of
    // 3s and 4s); W2 = (W1−F)/S+1, D2 = D1 "池化层不会改变图片的深度" (stated). Derived on the E23 input: max →
    // [[3,4,4],[4,4,4],[4,3,3]], average → [[2,2.25,2],[2.5,2,1.25],[3,2,1]]; three channels stay three.
    [Fact]
    public void E24_OverlappingPooling2x2Stride1_LotsOf3sAnd4s_DepthUnchanged()
    {
        double[,] max = { { 3, 4, 4 }, { 4, 4, 4 }, { 4, 3, 3 } };
        Equal(max, F.MaxPool2d(Image(P), 2, 1));
        Equal(new double[,] { { 2, 2.25, 2 }, { 2.5, 2, 1.25 }, { 3, 2, 1 } }, F.AvgPool2d(Image(P), 2, 1));
        Assert.Equal(3, ConvArithmetic.OutputSize(4, 2, stride: 1));

        var channels = Tensor.FromArray([.. P.Cast<double>(), .. P.Cast<double>().Select(v => v + 1), .. P.Cast<double>().Select(v => 2 * v)], [1, 3, 4, 4]);
        var y = F.MaxPool2d(channels, 2, 1);
        Shape([1, 3, 3, 3], y);
        Equal(max, y, c: 0);
        Equal(Matrix(3, 3, (i, j) => max[i, j] + 1), y, c: 1);
        Equal(Matrix(3, 3, (i, j) => 2 * max[i, j]), y, c: 2);
    }

    // E20 — S2 §2.2 "池化层" item 3: "池化层的输入单元数量为 6，池的宽度为 3、步幅为 2，池化层的输出单元数量为 2" (stated),
    // ⌊(N−W)/S⌋+1. Derived with x = [1..6]: max → [3,5], average → [2,4]; the last input is in no window, so its
    // gradient is 0 (average-pool gradient of the sum: [1/3,1/3,2/3,1/3,1/3,0]).
    [Fact]
    public void E20_OneDimensionalPooling_N6_Width3_Stride2_Gives2Outputs()
    {
        Assert.Equal(2, ConvArithmetic.OutputSize(6, 3, stride: 2));
        Equal([3, 5], F.MaxPool2d(Row(1, 2, 3, 4, 5, 6), (1, 3), (1, 2)).ToDoubleArray());
        var x = Row(1, 2, 3, 4, 5, 6).RequireGrad();
        var avg = F.AvgPool2d(x, (1, 3), (1, 2));
        Equal([2, 4], avg.ToDoubleArray());
        avg.Sum().Backward();
        Equal([1.0 / 3, 1.0 / 3, 2.0 / 3, 1.0 / 3, 1.0 / 3, 0], x.Grad!.ToDoubleArray(), 1e-15);
    }

    // E25 — S0 §5.7.3 "空间金字塔池化": levels 1x1, 2x2, 4x4, "窗口大小sizeX为[a/n]，步长为[a/n]" (stated; the original
    // paper's ⌈a/n⌉ and ⌊a/n⌋) and for a 14x14 conv5 "最后一列和最后一行特征没有被池化操作计算在内" (stated: the last row
    // and column are not pooled). Derived table rows: (a, n, sizeX, stride, last covered index). Each level is a plain
    // max pool: the n x n output holds the bottom-right value of each window of the ramp X[i][j] = a·i + j.
    [Theory]
    [InlineData(13, 1, 13, 13, 12)]
    [InlineData(13, 2, 7, 6, 12)]
    [InlineData(13, 4, 4, 3, 12)]
    [InlineData(14, 1, 14, 14, 13)]
    [InlineData(14, 2, 7, 7, 13)]
    [InlineData(14, 4, 4, 3, 12)]
    public void E25_SpatialPyramidLevel_CeilWindow_FloorStride_GivesNxN(int a, int n, int sizeX, int stride, int lastCovered)
    {
        Assert.Equal(sizeX, (a + n - 1) / n);
        Assert.Equal(stride, a / n);
        Assert.Equal(n, ConvArithmetic.OutputSize(a, sizeX, stride));
        var x = Image(Matrix(a, a, (i, j) => a * i + j)).RequireGrad();
        Equal(Matrix(n, n, (p, q) => a * (p * stride + sizeX - 1) + q * stride + sizeX - 1), F.MaxPool2d(x, sizeX, stride));

        F.AvgPool2d(x, sizeX, stride).Sum().Backward();
        var covered = Matrix(a, a, (i, j) => x.Grad![0, 0, i, j] > 0 ? 1 : 0);
        Equal(Matrix(a, a, (i, j) => i <= lastCovered && j <= lastCovered ? 1 : 0), covered, tolerance: 0);
    }

    // E25 — S0 §5.7.3: the notes' "[pool4*4]的sizeX=5，stride=4" for a = 14 contradicts their own rule (erratum J2):
    // with 5/4 the level would be ⌊(14−5)/4⌋+1 = 3x3, not 4x4. Stated: 21 bins × 256 filters ("这21个256维特征");
    // derived: 5376 features.
    [Fact]
    public void E25_NotesWindow5Stride4_Gives3x3NotFourByFour_And21BinsTimes256Is5376()
    {
        Assert.Equal(3, ConvArithmetic.OutputSize(14, 5, stride: 4));
        var y = F.MaxPool2d(Image(Matrix(14, 14, (i, j) => 14 * i + j)), 5, 4);
        Equal(Matrix(3, 3, (p, q) => 14 * (4 * p + 4) + 4 * q + 4), y);
        int bins = new[] { 1, 2, 4 }.Sum(n => n * n);
        Assert.Equal(21, bins);
        Assert.Equal(5376, bins * 256);
    }

    // E26 — S0 §5.9: "左侧矩阵A是20*20的矩阵要进行大小为10*10的池化…每个元素的值得和再处于红色矩阵的元素个数" (average of each
    // 10x10 block, stated); §5.18 "filter取2*2…stride取2，压缩为原来的1/4" and "对每一个2*2的区域元素求和，再除以4" (stated).
    // Derived with A[i][j] = 20i + j: 10x10 average → [[94.5,104.5],[294.5,304.5]]; 2x2/2 → 10x10 = 1/4 of the elements,
    // block (p,q) = 40p + 2q + 10.5.
    [Fact]
    public void E26_20x20AveragePool10x10_And2x2Stride2KeepsAQuarter()
    {
        var a = Image(Matrix(20, 20, (i, j) => 20 * i + j));
        Equal(new double[,] { { 94.5, 104.5 }, { 294.5, 304.5 } }, F.AvgPool2d(a, 10, 10));
        var quarter = F.AvgPool2d(a, 2, 2);
        Assert.Equal(400 / 4, quarter.Numel);
        Equal(Matrix(10, 10, (p, q) => 40 * p + 2 * q + 10.5), quarter);
    }

    // E12 — S0 §5.23 "CNN主要的计算瓶颈": "用2x2的元素全是1的卷积核来卷积图像…每个2个点采集一次数据，y=x(1:2:end,1:2:end)"
    // (stated procedure). Derived with X = 1..16: conv with ones(2,2) then every 2nd point = conv with stride 2 =
    // 4 × avg_pool2d(2,2) = [[14,22],[46,54]].
    [Fact]
    public void E12_OnesKernelThenSubsample_EqualsStride2_Equals4TimesAveragePool()
    {
        var x = Image(Matrix(4, 4, (i, j) => 4 * i + j + 1));
        var ones = Filled([1, 1, 2, 2], 1);
        double[,] expected = { { 14, 22 }, { 46, 54 } };
        Equal(expected, F.Conv2d(x, ones).Slice(2, 0, 3, 2).Slice(3, 0, 3, 2));
        Equal(expected, F.Conv2d(x, ones, stride: 2));
        Equal(expected, 4 * F.AvgPool2d(x, 2, 2));
    }
}
