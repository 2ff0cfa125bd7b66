using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Tests.Notes.NotesAssert;

namespace Hubel.Tests.Notes;

/// <summary>Convolution backward examples (docs/notes-examples.md E29–E31, S4 "卷积的反向传播原理"), checked through
/// <c>Backward()</c> of <see cref="F.Conv2d"/> and against the notes' own recipes run as forward convolutions:
/// δ_out = pad(δ_in, N−1) ⋆ rot180(W), δ_w = A ⋆ δ_in, δ_b = Σ δ_in, and for stride S > 1 the error matrix dilated with
/// S−1 zeros. Derived values: tools/notes/derive_examples.py (also checked by finite differences there).
/// Seed: S4 = 004_a7da2731f31c01ab.txt.</summary>
public class ConvBackpropExamples
{
    // E29/E30 data (derived instance of S4's 3x3 A, 2x2 W, 2x2 Z): A = 1..9, W = [[1,2],[3,4]], b = 0, δ_in = [[1,-1],[2,0]].
    private static readonly double[,] A = { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } };
    private static readonly double[,] W = { { 1, 2 }, { 3, 4 } };
    private static readonly double[,] Delta = { { 1, -1 }, { 2, 0 } };

    private static (Tensor X, Tensor W, Tensor B, Tensor Z) Run(double[,] x, double[,] w, double[,] delta, int stride, DType dtype)
    {
        var xt = Leaf(x, dtype);
        var wt = Leaf(w, dtype);
        var bt = Tensor.FromArray([0.0], [1]).To(dtype).RequireGrad();
        var z = F.Conv2d(xt, wt, bt, stride: stride);
        z.Backward(Image(delta, dtype));
        return (xt, wt, bt, z);
    }

    /// <summary>S4's recipe for stride S: a zero matrix with the error's row r, column c at (r·S, c·S), sized
    /// ((M−1)S+1) x ((N−1)S+1) as in the notes' examples (not the (M·S) x (N·S) of the procedure; erratum J10).</summary>
    private static double[,] Dilate(double[,] delta, int s) =>
        Matrix((delta.GetLength(0) - 1) * s + 1, (delta.GetLength(1) - 1) * s + 1, (i, j) => i % s == 0 && j % s == 0 ? delta[i / s, j / s] : 0);

    // E29 — S4 "计算反向传播的梯度矩阵": ∂J/∂a11 = δz11·w11 (5), ∂J/∂a12 = δz11·w12 + δz12·w11 (6),
    // ∂J/∂a22 = δz11·w22 + δz12·w21 + δz21·w12 + δz22·w11 (7), δ_out = δ_in * W^rot180 (8) with "需要padding=N-1"
    // (stated formulas). Derived: Z = [[37,47],[67,77]] and ∂J/∂A = [[1,1,-2],[5,5,-4],[6,8,0]].
    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void E29_InputGradient_IsPaddedDeltaConvolvedWithRot180Kernel(DType dtype)
    {
        var (x, _, _, z) = Run(A, W, Delta, stride: 1, dtype);
        Equal(new double[,] { { 37, 47 }, { 67, 77 } }, z);
        double[,] expected = { { 1, 1, -2 }, { 5, 5, -4 }, { 6, 8, 0 } };
        var dA = Plane(x.Grad!);
        Equal(expected, dA);
        Assert.Equal(Delta[0, 0] * W[0, 0], dA[0, 0]);                                               // (5)
        Assert.Equal(Delta[0, 0] * W[0, 1] + Delta[0, 1] * W[0, 0], dA[0, 1]);                       // (6)
        Assert.Equal(Delta[0, 0] * W[1, 1] + Delta[0, 1] * W[1, 0] + Delta[1, 0] * W[0, 1] + Delta[1, 1] * W[0, 0], dA[1, 1]); // (7)
        Equal(expected, F.Conv2d(Image(Delta), Image(Rot180(W)), padding: W.GetLength(0) - 1));      // (8), padding N−1
    }

    // E30 — S4 "权重 (卷积核) 梯度计算" / "偏移的梯度计算": ∂J/∂w11 = δz11·a11 + δz12·a12 + δz21·a21 + δz22·a22 (9),
    // ∂J/∂w12 = δz11·a12 + δz12·a13 + δz21·a22 + δz22·a23 (10), δ_w = A * δ_in (11), ∂J/∂b = δz11 + δz12 + δz21 + δz22 (12)
    // (stated). Erratum (docs J11): (13) "δ_b = δ_in" should be the sum of δ_in. Derived: δ_w = [[7,9],[13,15]], δ_b = 2.
    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void E30_KernelGradient_IsInputCorrelatedWithDelta_BiasGradientIsSumOfDelta(DType dtype)
    {
        var (_, w, b, _) = Run(A, W, Delta, stride: 1, dtype);
        double[,] expected = { { 7, 9 }, { 13, 15 } };
        var dW = Plane(w.Grad!);
        Equal(expected, dW);
        Assert.Equal(Delta[0, 0] * A[0, 0] + Delta[0, 1] * A[0, 1] + Delta[1, 0] * A[1, 0] + Delta[1, 1] * A[1, 1], dW[0, 0]); // (9)
        Assert.Equal(Delta[0, 0] * A[0, 1] + Delta[0, 1] * A[0, 2] + Delta[1, 0] * A[1, 1] + Delta[1, 1] * A[1, 2], dW[0, 1]); // (10)
        Equal(expected, F.Conv2d(Image(A), Image(Delta)));                                                                  // (11)
        Shape([1], b.Grad!);
        Assert.Equal(Delta[0, 0] + Delta[0, 1] + Delta[1, 0] + Delta[1, 1], b.Grad![0]);                                    // (12)
        Assert.Equal(2, b.Grad![0]);
    }

    // E31 — S4 "步长不为1时的梯度矩阵还原" (data of E03): the stride-2 error "补上一个十字" becomes a 3x3 matrix, then the
    // stride-1 rules apply (stated). Derived with δ_in = [[1,2],[3,4]]: dilated δ = [[1,0,2],[0,0,0],[3,0,4]],
    // ∂J/∂B = pad(dilated, 2) ⋆ rot180(K1) (5x5 below), ∂J/∂K1 = B ⋆ dilated = [[13,25,32],[53,19,36],[13,49,24]], ∂J/∂b = 10.
    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void E31_Stride2_ZeroDilatedDelta_GivesInputKernelAndBiasGradients(DType dtype)
    {
        double[,] delta = { { 1, 2 }, { 3, 4 } };
        var dilated = Dilate(delta, 2);
        Equal(new double[,] { { 1, 0, 2 }, { 0, 0, 0 }, { 3, 0, 4 } }, dilated, tolerance: 0);

        var (x, w, b, _) = Run(CrossCorrelationExamples.B, CrossCorrelationExamples.K1, delta, stride: 2, dtype);
        double[,] dB =
        {
            { 1, 0, 3, 0, 2 }, { -1, 1, -2, 2, 0 }, { 3, 1, 6, 2, 2 }, { -3, 3, -4, 4, 0 }, { 0, 3, -3, 4, -4 },
        };
        double[,] dK = { { 13, 25, 32 }, { 53, 19, 36 }, { 13, 49, 24 } };
        Equal(dB, x.Grad!);
        Equal(dK, w.Grad!);
        Assert.Equal(10, b.Grad![0]);

        // The notes' recipe, run forward: full correlation of the dilated error with rot180(K1), and B ⋆ dilated.
        Equal(dB, F.Conv2d(Image(dilated), Image(Rot180(CrossCorrelationExamples.K1)), padding: Padding.Full));
        Equal(dK, F.Conv2d(Image(CrossCorrelationExamples.B), Image(dilated)));
    }

    // E31 — S4 "步长不为1时的梯度矩阵还原": the printed stride-2 and stride-3 patterns for a 2x3 error (stated): 3x5 with
    // δ at columns 0, 2, 4 of rows 0 and 2; 4x7 with δ at columns 0, 3, 6 of rows 0 and 3. Erratum (docs J10): the
    // procedure's (M·S) x (N·S) buffer (4x6, 6x9) contradicts these; ((M−1)S+1) x ((N−1)S+1) is right. Checked through
    // autograd: the input gradient of a stride-S, 1x1 identity conv on the matching input is exactly the dilated error.
    [Theory]
    [InlineData(2, 3, 5)]
    [InlineData(3, 4, 7)]
    public void E31_DilatedErrorShape_Is_MMinus1TimesSPlus1(int stride, int rows, int cols)
    {
        double[,] delta = { { 11, 12, 13 }, { 21, 22, 23 } };
        var dilated = Dilate(delta, stride);
        Assert.Equal((rows, cols), (dilated.GetLength(0), dilated.GetLength(1)));
        Assert.NotEqual((2 * stride, 3 * stride), (rows, cols));
        Assert.Equal(delta[1, 2], dilated[rows - 1, cols - 1]);
        Assert.Equal(delta[0, 1], dilated[0, stride]);

        var x = Leaf(Matrix(rows, cols, (_, _) => 1));
        var y = F.Conv2d(x, Image(new double[,] { { 1 } }), stride: stride);
        y.Backward(Image(delta));
        Equal(dilated, x.Grad!, tolerance: 0);
    }
}
