using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Analysis;

/// <summary>Spatially separable kernels (S0 §5.4.4 可分离卷积, S2 §4.3.2): a KH x KW kernel that is the outer product of a
/// column vector c (KH) and a row vector r (KW), K[i, j] = c[i]·r[j], so a KH x 1 convolution with c followed by a
/// 1 x KW convolution with r gives the same result as K with KH + KW parameters instead of KH·KW (Sobel: 6 vs 9).
/// Separable means rank 1; the test is numerical, relative to the kernel's largest entry.</summary>
public static class SeparableKernel
{
    /// <summary>Default relative tolerance of the rank test.</summary>
    public const double DefaultTolerance = 1e-9;

    /// <summary>Numerical rank of <paramref name="kernel"/>: Gaussian elimination with full pivoting, counting pivots larger
    /// than <paramref name="tolerance"/> · max|K|. 0 for an all-zero kernel.</summary>
    /// <exception cref="ArgumentException">an empty kernel, or a NaN or infinite entry.</exception>
    public static int Rank(double[,] kernel, double tolerance = DefaultTolerance)
    {
        var a = Check(kernel, tolerance);
        int h = a.GetLength(0), w = a.GetLength(1);
        double threshold = tolerance * MaxAbs(a);
        int rank = 0;
        var rowUsed = new bool[h];
        var colUsed = new bool[w];
        while (rank < Math.Min(h, w))
        {
            int pi = -1, pj = -1;
            double best = threshold;
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    if (!rowUsed[i] && !colUsed[j] && Math.Abs(a[i, j]) > best) (best, pi, pj) = (Math.Abs(a[i, j]), i, j);
            if (pi < 0) break;
            rowUsed[pi] = colUsed[pj] = true;
            rank++;
            for (int i = 0; i < h; i++)
            {
                if (rowUsed[i]) continue;
                double f = a[i, pj] / a[pi, pj];
                for (int j = 0; j < w; j++) a[i, j] -= f * a[pi, j];
            }
        }
        return rank;
    }

    /// <summary>Splits a rank-1 kernel into (column, row) with K[i, j] = column[i]·row[j]. The column is a column of K
    /// (the one through its largest entry), signed so its largest-magnitude entry is positive, which keeps integer
    /// kernels integer: Sobel-x [[-1,0,1],[-2,0,2],[-1,0,1]] = [1,2,1]ᵀ ⊗ [-1,0,1].</summary>
    /// <exception cref="ArgumentException">the kernel is not separable (its rank is above 1; the message gives the rank and
    /// the largest residual), empty, or has a NaN or infinite entry (ParamName "kernel").</exception>
    /// <exception cref="ArgumentOutOfRangeException">tolerance negative or not finite.</exception>
    public static (double[] Column, double[] Row) Factorize(double[,] kernel, double tolerance = DefaultTolerance)
    {
        if (!TryFactorize(kernel, out var column, out var row, tolerance))
        {
            double residual = BestResidual(kernel);
            throw new ArgumentException($"kernel is not separable: its numerical rank is {Rank(kernel, tolerance)} (> 1); the best outer product " +
                $"through its largest entry leaves a residual of {residual:G4} (allowed {tolerance:G2} x max|K| = {tolerance * MaxAbs(kernel):G4})", nameof(kernel));
        }
        return (column, row);
    }

    /// <summary>Like <see cref="Factorize"/>, returning false instead of throwing when the kernel is not rank 1.</summary>
    public static bool TryFactorize(double[,] kernel, out double[] column, out double[] row, double tolerance = DefaultTolerance)
    {
        var k = Check(kernel, tolerance);
        int h = k.GetLength(0), w = k.GetLength(1);
        column = new double[h];
        row = new double[w];
        var (pi, pj) = ArgMaxAbs(k);
        double max = Math.Abs(k[pi, pj]);
        if (max == 0) return true;                                   // the zero kernel is 0 ⊗ 0
        for (int i = 0; i < h; i++) column[i] = k[i, pj];
        for (int j = 0; j < w; j++) row[j] = k[pi, j] / k[pi, pj];
        if (column[pi] < 0)
        {
            for (int i = 0; i < h; i++) column[i] = -column[i];
            for (int j = 0; j < w; j++) row[j] = -row[j];
        }
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
                if (Math.Abs(k[i, j] - column[i] * row[j]) > tolerance * max) return false;
        return true;
    }

    /// <summary>Convolves every channel of input [N, C, H, W] with the KH x 1 <paramref name="column"/> and then with the
    /// 1 x KW <paramref name="row"/> (depthwise, groups = C); equals <see cref="F.Conv2d"/> with column ⊗ row on every
    /// channel. Padding (PH, PW) goes to the first pass in height and to the second in width.</summary>
    public static Tensor Conv2d(Tensor input, double[] column, double[] row, Size2? padding = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(row);
        if (input.Rank != 4) throw new ArgumentException($"input must be [N, C, H, W]; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        if (column.Length == 0) throw new ArgumentException("column must not be empty", nameof(column));
        if (row.Length == 0) throw new ArgumentException("row must not be empty", nameof(row));
        var p = (padding ?? 0).AtLeast(0, nameof(padding));
        int c = input.Size(1);
        var wc = Repeat(column, c, [c, 1, column.Length, 1], input.DType);
        var wr = Repeat(row, c, [c, 1, 1, row.Length], input.DType);
        var vertical = F.Conv2d(input, wc, padding: Padding.Explicit(p.H, 0), groups: c);
        return F.Conv2d(vertical, wr, padding: Padding.Explicit(0, p.W), groups: c);
    }

    private static Tensor Repeat(double[] v, int channels, int[] shape, DType dtype)
    {
        var data = new double[channels * v.Length];
        for (int ch = 0; ch < channels; ch++) v.CopyTo(data, ch * v.Length);
        return Tensor.FromArray(data, shape).To(dtype);
    }

    private static double BestResidual(double[,] k)
    {
        var (pi, pj) = ArgMaxAbs(k);
        double residual = 0;
        if (k[pi, pj] == 0) return 0;
        for (int i = 0; i < k.GetLength(0); i++)
            for (int j = 0; j < k.GetLength(1); j++)
                residual = Math.Max(residual, Math.Abs(k[i, j] - k[i, pj] * k[pi, j] / k[pi, pj]));
        return residual;
    }

    private static double[,] Check(double[,] kernel, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel.Length == 0) throw new ArgumentException("kernel must have at least one entry", nameof(kernel));
        if (!(tolerance >= 0) || double.IsInfinity(tolerance))
            throw new ArgumentOutOfRangeException(nameof(tolerance), $"tolerance must be finite and >= 0; got {tolerance}");
        foreach (double v in kernel)
            if (!double.IsFinite(v)) throw new ArgumentException("kernel has a NaN or infinite entry", nameof(kernel));
        return (double[,])kernel.Clone();
    }

    private static (int I, int J) ArgMaxAbs(double[,] k)
    {
        (int, int) at = (0, 0);
        double best = -1;
        for (int i = 0; i < k.GetLength(0); i++)
            for (int j = 0; j < k.GetLength(1); j++)
                if (Math.Abs(k[i, j]) > best) (best, at) = (Math.Abs(k[i, j]), (i, j));
        return at;
    }

    private static double MaxAbs(double[,] k)
    {
        double m = 0;
        foreach (double v in k) m = Math.Max(m, Math.Abs(v));
        return m;
    }
}
