using Hubel.Analysis;
using Hubel.Ops;
using Hubel.Tensors;
using Hubel.Tests.Notes;
using static Hubel.Tests.ConvX.ConvXAssert;

namespace Hubel.Tests.ConvX;

/// <summary>im2col/col2im, the Toeplitz matrix and separable kernels: the notes' views of convolution as a matrix
/// product (S2 §1.1.2) and as a sequence of 1-D convolutions (S0 §5.4.4, S2 §4.3.2).</summary>
public class AnalysisToolTests
{
    private static readonly double[,] A = { { 2, 5, 0, 1 }, { 6, 7, 1, 2 }, { 3, 0, 4, 0 }, { 3, 9, 7, 4 } };   // E01 (S4)
    private static readonly double[,] K1 = { { 1, 0, 1 }, { -1, 1, 0 }, { 0, 1, -1 } };
    private static readonly double[,] SobelX = { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } };                      // E07 (S2 §1.2.1)

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(2, 1, 1)]
    [InlineData(1, 2, 2)]
    public void ConvolutionIsWeightTimesIm2Col(int stride, int padding, int dilation)
    {
        var rng = new Rng(21);
        var x = Rand(rng, 2, 3, 7, 6);
        var w = Rand(rng, 4, 3, 3, 2);
        var conv = F.Conv2d(x, w, stride: stride, padding: padding, dilation: dilation);
        var cols = F.Im2Col(x, (3, 2), stride, padding, dilation);                           // [N, C·KH·KW, L]
        var viaGemm = F.MatMul(w.Reshape(1, 4, 18).BroadcastTo(2, 4, 18).Contiguous(), cols).Reshape(conv.Shape.ToArray());
        Close(conv, viaGemm, 1e-12, "W x im2col(x)");
    }

    /// <summary>col2im is the adjoint of im2col: ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩, and col2im(im2col(x)) counts how many windows cover each pixel.</summary>
    [Fact]
    public void Col2ImIsTheAdjointOfIm2Col()
    {
        var rng = new Rng(22);
        var x = Rand(rng, 2, 2, 6, 7);
        var cols = F.Im2Col(x, 3, stride: 2, padding: 1);
        var y = Rand(rng, cols.Shape.ToArray());
        double lhs = F.Sum(F.Mul(cols, y)).Item();
        double rhs = F.Sum(F.Mul(x, F.Col2Im(y, (6, 7), 3, stride: 2, padding: 1))).Item();
        Assert.Equal(lhs, rhs, 1e-10);

        var ones = Tensor.Ones([1, 1, 4, 4], DType.Float64);
        var coverage = F.Col2Im(F.Im2Col(ones, 3), (4, 4), 3);
        NotesAssert.Equal(new double[,] { { 1, 2, 2, 1 }, { 2, 4, 4, 2 }, { 2, 4, 4, 2 }, { 1, 2, 2, 1 } }, coverage);
    }

    /// <summary>E01 through the Toeplitz matrix: M · vec(A) = vec([[-1, 4], [6, 16]]).</summary>
    [Fact]
    public void ToeplitzMatrixReproducesTheNotesExample()
    {
        var m = Toeplitz.Build(K1, 4, 4);
        Assert.Equal([4, 16], m.Shape.ToArray());
        var y = F.MatMul(m, Tensor.FromArray(A).Reshape(16, 1));
        NotesAssert.Equal([-1, 4, 6, 16], y.ToDoubleArray());
    }

    [Theory]
    [InlineData(5, 6, 1, 0, 1)]
    [InlineData(6, 5, 2, 1, 1)]
    [InlineData(7, 7, 1, 2, 2)]
    public void ToeplitzTimesVecEqualsConv2d(int h, int w, int stride, int padding, int dilation)
    {
        var rng = new Rng(23);
        var k = NotesAssert.Matrix(3, 2, (_, _) => rng.NextDouble() * 2 - 1);
        var x = Rand(rng, 1, 1, h, w);
        var conv = F.Conv2d(x, NotesAssert.Image(k), stride: stride, padding: padding, dilation: dilation);
        var m = Toeplitz.Build(k, h, w, stride, padding, dilation);
        Close(conv.Reshape(-1), F.MatMul(m, x.Reshape(h * w, 1)).Reshape(-1), 1e-12, "M vec(x)");
    }

    /// <summary>At stride 1 the matrix is doubly block Toeplitz: block (oh, ih) depends only on ih - oh, and every block is constant along its diagonals.</summary>
    [Fact]
    public void ToeplitzMatrixIsDoublyBlockToeplitz()
    {
        int h = 5, w = 6, kh = 3, kw = 3, oh = 3, ow = 4;
        var rng = new Rng(24);
        var k = NotesAssert.Matrix(kh, kw, (_, _) => rng.NextDouble());
        var m = Toeplitz.Build(k, h, w);
        double At(int r, int c) => m[r, c];
        for (int bo = 0; bo < oh; bo++)
            for (int bi = 0; bi < h; bi++)
                for (int x = 0; x < ow; x++)
                    for (int iw = 0; iw < w; iw++)
                    {
                        double v = At(bo * ow + x, bi * w + iw);
                        if (bo > 0 && bi > 0) Assert.Equal(At((bo - 1) * ow + x, (bi - 1) * w + iw), v);          // block Toeplitz
                        if (x > 0 && iw > 0) Assert.Equal(At(bo * ow + x - 1, bi * w + iw - 1), v);               // Toeplitz blocks
                        int di = bi - bo, dj = iw - x;
                        Assert.Equal(di >= 0 && di < kh && dj >= 0 && dj < kw ? k[di, dj] : 0, v);
                    }
    }

    [Fact]
    public void ToeplitzRejectsBadArguments()
    {
        Assert.Equal("inputH", Assert.Throws<ArgumentOutOfRangeException>(() => Toeplitz.Build(K1, 0, 4)).ParamName);
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => Toeplitz.Build(K1, 4, 4, stride: 0)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => Toeplitz.Build(K1, 4, 4, padding: -1)).ParamName);
        Assert.Equal("kernel", Assert.Throws<ArgumentOutOfRangeException>(() => Toeplitz.Build(K1, 2, 4)).ParamName);
        Assert.Equal("kernel", Assert.Throws<ArgumentException>(() => Toeplitz.Build(new double[0, 3], 4, 4)).ParamName);
    }

    /// <summary>E07: Sobel-x = [1,2,1]ᵀ ⊗ [-1,0,1], and the notes' [1,0,-1] / [1,2,1]ᵀ product is -Sobel-x: 6 parameters instead of 9.</summary>
    [Fact]
    public void SobelFactorisesIntoTheNotesVectors()
    {
        var (column, row) = SeparableKernel.Factorize(SobelX);
        NotesAssert.Equal([1, 2, 1], column);
        NotesAssert.Equal([-1, 0, 1], row);
        var (c2, r2) = SeparableKernel.Factorize(NotesAssert.Matrix(3, 3, (i, j) => -SobelX[i, j]));
        NotesAssert.Equal([1, 2, 1], c2);
        NotesAssert.Equal([1, 0, -1], r2);
        Assert.Equal(6, column.Length + row.Length);
        Assert.Equal(1, SeparableKernel.Rank(SobelX));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void ConvWithTheTwoVectorsInSequenceEqualsConvWithTheKernel(int padding)
    {
        var rng = new Rng(25);
        var x = Rand(rng, 2, 3, 7, 8);
        var (column, row) = SeparableKernel.Factorize(SobelX);
        var full = F.Conv2d(x, Tensor.FromArray(Enumerable.Repeat(SobelX, 3).SelectMany(k => k.Cast<double>()).ToArray(), [3, 1, 3, 3]),
            padding: padding, groups: 3);
        Close(full, SeparableKernel.Conv2d(x, column, row, padding), 1e-12, "kx1 then 1xk");

        // A random rank-1 kernel (5 x 2) round-trips through Factorize.
        double[] a = [0.3, -1.2, 0.5, 2.0, -0.7], b = [1.5, -0.25];
        var k = NotesAssert.Matrix(5, 2, (i, j) => a[i] * b[j]);
        var (c, r) = SeparableKernel.Factorize(k);
        NotesAssert.Equal(k, NotesAssert.Matrix(5, 2, (i, j) => c[i] * r[j]), 1e-12);
    }

    [Fact]
    public void NonSeparableKernelsAreRejectedWithTheirRank()
    {
        double[,] sharpen = { { 0, -1, 0 }, { -1, 5, -1 }, { 0, -1, 0 } };         // E08 (S4): rank 2
        var ex = Assert.Throws<ArgumentException>(() => SeparableKernel.Factorize(sharpen));
        Assert.Equal("kernel", ex.ParamName);
        Assert.Contains("rank is 2", ex.Message);
        Assert.Equal(2, SeparableKernel.Rank(sharpen));
        Assert.Equal(3, SeparableKernel.Rank(K1));
        Assert.False(SeparableKernel.TryFactorize(K1, out _, out _));
        // Within tolerance: a rank-1 kernel plus noise far below the tolerance still factorises, above it does not.
        var noisy = (double[,])SobelX.Clone();
        noisy[0, 1] = 1e-12;
        Assert.True(SeparableKernel.TryFactorize(noisy, out _, out _));
        Assert.False(SeparableKernel.TryFactorize(noisy, out _, out _, tolerance: 1e-14));
        Assert.Equal(0, SeparableKernel.Rank(new double[2, 2]));
        Assert.Equal("kernel", Assert.Throws<ArgumentException>(() => SeparableKernel.Factorize(new double[,] { { double.NaN } })).ParamName);
        Assert.Equal("tolerance", Assert.Throws<ArgumentOutOfRangeException>(() => SeparableKernel.Rank(SobelX, -1)).ParamName);
    }
}
