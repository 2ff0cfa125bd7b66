using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Tests.Notes.NotesAssert;

namespace Hubel.Tests.Notes;

/// <summary>Pooling backward examples (docs/notes-examples.md E27, E28 and the upsampling half of E12), checked
/// through <c>Backward()</c> of <see cref="F.MaxPool2d"/> and <see cref="F.AvgPool2d"/>: max pooling routes the
/// upstream error to the argmax of each window, mean pooling spreads it as 1/4 over a 2x2 window. Derived values:
/// tools/notes/derive_examples.py. Seeds: S0 = 000_b3d568cb3515f52b.txt, S1 = 001_e4bcf25e35765c8d.txt,
/// S3 = 003_3200e69dd95b7c53.txt, S4 = 004_a7da2731f31c01ab.txt.</summary>
public class PoolingBackpropExamples
{
    private static readonly double[,] Upstream = { { 1, 2 }, { 3, 4 } };

    // Average-pool backward of [[1,2],[3,4]] over 2x2/2 windows: each upstream value / 4 on its block (derived).
    private static readonly double[,] MeanSpread =
        { { 0.25, 0.25, 0.5, 0.5 }, { 0.25, 0.25, 0.5, 0.5 }, { 0.75, 0.75, 1, 1 }, { 0.75, 0.75, 1, 1 } };

    private static double[,] PoolGrad(double[,] input, bool max, DType dtype = DType.Float64)
    {
        var x = Leaf(input, dtype);
        var y = max ? F.MaxPool2d(x, 2, 2) : F.AvgPool2d(x, 2, 2);
        y.Backward(Image(Upstream, dtype));
        return Plane(x.Grad!);
    }

    // E27 — S1 001_e4bcf25e35765c8d.txt, "关于池化层的训练…是将池化层改为多层神经网络的形式" and the δ equations (1-based):
    // max "δ^l_{1,1} = δ^{l+1}_{1,1}; δ^l_{1,4} = δ^{l+1}_{1,2}; δ^l_{4,1} = δ^{l+1}_{2,1}; δ^l_{4,4} = δ^{l+1}_{2,2}" (block maxima
    // at the corners, all other δ 0); mean "δ^l_{1,1} = δ^l_{1,2} = δ^l_{2,1} = δ^l_{2,2} = δ^{l+1}_{1,1}/4" (stated).
    // S3 003_3200e69dd95b7c53.txt says the same in words ("只在最大值的那个地方有值" / "把传的值均分到前一层").
    // Derived instance: corners 9, everything else 1, upstream [[1,2],[3,4]].
    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void E27_MaxPoolRoutesToCornerMaxima_MeanPoolSpreadsQuarters(DType dtype)
    {
        double[,] x = { { 9, 1, 1, 9 }, { 1, 1, 1, 1 }, { 1, 1, 1, 1 }, { 9, 1, 1, 9 } };
        Equal(new double[,] { { 1, 0, 0, 2 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, { 3, 0, 0, 4 } }, PoolGrad(x, max: true, dtype), tolerance: 0);
        var mean = PoolGrad(x, max: false, dtype);
        Equal(MeanSpread, mean, tolerance: 0);
        // The stated mean rule for the first block: every δ^l in it is δ^{l+1}_{1,1} / 4.
        Assert.Equal(Upstream[0, 0] / 4, mean[1, 1]);
    }

    // E28 — S4 004_a7da2731f31c01ab.txt, "池化层的训练" (图17-34): upstream [[1,2],[3,4]] "是上一层网络回传的残差"
    // (stated); max w = max(a,b,e,f) gives δ_b = δ_w and 0 elsewhere; mean w = (a+b+e+f)/4 gives δ = δ_w/4 (stated
    // formulas). Erratum (docs J12): the text says "偏导数都为1" (all partial derivatives are 1); its own formula gives 1/4.
    // Derived with the E23 input: argmaxes (0,1), (1,2), (2,0), (3,2).
    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void E28_PoolingBackward_Upstream_1_2_3_4_OnTheE23Input(DType dtype)
    {
        Equal(new double[,] { { 0, 1, 0, 0 }, { 0, 0, 2, 0 }, { 3, 0, 0, 0 }, { 0, 0, 4, 0 } }, PoolGrad(PoolingExamples.P, max: true, dtype), tolerance: 0);
        var mean = PoolGrad(PoolingExamples.P, max: false, dtype);
        Equal(MeanSpread, mean, tolerance: 0);
        Assert.NotEqual(1.0, mean[0, 0]); // not the text's "偏导数都为1" (erratum J12)
    }

    // E12 — S0 000_b3d568cb3515f52b.txt §5.23: "通过一个全一矩阵ones来和我们需要上采样的矩阵进行Kronecker乘积" (upsampling by a
    // Kronecker product with ones, stated). Derived: kron([[1,2],[3,4]], ones(2,2)) = 4 × the average-pool backward of the
    // same matrix = [[1,1,2,2],[1,1,2,2],[3,3,4,4],[3,3,4,4]].
    [Fact]
    public void E12_KroneckerUpsampling_Is4TimesAveragePoolBackward()
    {
        var kron = Matrix(4, 4, (i, j) => Upstream[i / 2, j / 2]);
        Equal(new double[,] { { 1, 1, 2, 2 }, { 1, 1, 2, 2 }, { 3, 3, 4, 4 }, { 3, 3, 4, 4 } }, kron, tolerance: 0);
        var grad = PoolGrad(Matrix(4, 4, (i, j) => i * 4 + j), max: false);
        Equal(kron, Matrix(4, 4, (i, j) => 4 * grad[i, j]), tolerance: 0);
    }
}
