using System.Numerics;

namespace Hubel.Backends.Cpu;

/// <summary>
/// The transforms of Winograd's F(4x4, 3x3) (Lavin and Gray 2016, interpolation points 0, ±1, ±2 and ∞), scalar and generic
/// over float and double. A 4x4 output tile of a 3x3 correlation over a 6x6 input tile d is Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A with
/// <code>
/// Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
/// G  = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1]
/// Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
/// </code>
/// so 36 multiplies replace 144 (F(2x2)'s 16 per 4 outputs are 64 per 16): 2.25x fewer than F(2x2, 3x3). The larger
/// constants cost float32 about one decimal digit against F(2x2). Points are stored as in <see cref="WinogradTransforms"/>:
/// ξ = 6i + j, filters [ξ][K][C], tiles [ξ][C][tiles]. The weight gradient is the adjoint, as for F(2x2):
/// dU = Σ_tiles (A dY Aᵀ) ⊙ (Bᵀ d B), dg = Gᵀ dU G.
/// </summary>
internal static class WinogradTransforms4
{
    public const int Points = 36;

    /// <summary>U[ξ][o][i] = (G g Gᵀ)[ξ] for the 3x3 kernels of w [K, C, 3, 3]; with <paramref name="flipTranspose"/>, U[ξ][c][k]
    /// from w[k][c] rotated by 180° (the input gradient's correlation), as <see cref="WinogradTransforms.Filter{T}"/>.</summary>
    public static void Filter<T>(ReadOnlySpan<T> w, int k, int c, bool flipTranspose, Span<T> u) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> g = stackalloc T[9];
        Span<T> t = stackalloc T[18];
        Span<T> row = stackalloc T[6];
        int plane = k * c;
        for (int o = 0; o < k; o++)
            for (int i = 0; i < c; i++)
            {
                int at = WinogradTransforms.ReadKernel(w, o, i, k, c, flipTranspose, g);
                // t = G g (6x3), then U = t Gᵀ (6x6).
                for (int col = 0; col < 3; col++)
                {
                    Rows(g[col], g[3 + col], g[6 + col], row);
                    for (int r = 0; r < 6; r++) t[3 * r + col] = row[r];
                }
                for (int r = 0; r < 6; r++)
                {
                    Rows(t[3 * r], t[3 * r + 1], t[3 * r + 2], row);
                    for (int j = 0; j < 6; j++) u[(6 * r + j) * plane + at] = row[j];
                }
            }
    }

    /// <summary>G·(g0, g1, g2): the six rows of G applied to one column.</summary>
    private static void Rows<T>(T g0, T g1, T g2, Span<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T quarter = Constants<T>.Quarter, sixth = Constants<T>.Sixth, twelfth = Constants<T>.Twelfth, t24 = Constants<T>.TwentyFourth;
        row[0] = quarter * g0;
        row[1] = -sixth * (g0 + g1 + g2);
        row[2] = -sixth * (g0 - g1 + g2);
        row[3] = t24 * g0 + twelfth * g1 + sixth * g2;
        row[4] = t24 * g0 - twelfth * g1 + sixth * g2;
        row[5] = g2;
    }

    /// <summary>V[ξ][tile0 + tx] = (Bᵀ d B)[ξ] for the <paramref name="tiles"/> tiles of a 6-row strip (tile tx reads columns
    /// 4tx..4tx+5); <paramref name="stride"/> is the distance between two points' rows in <paramref name="v"/>.</summary>
    public static void Input<T>(ReadOnlySpan<T> strip, int width, int tiles, Span<T> v, int tile0, int stride) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> t = stackalloc T[36];
        Span<T> col = stackalloc T[6];
        Span<T> res = stackalloc T[6];
        for (int tx = 0; tx < tiles; tx++)
        {
            for (int r = 0; r < 6; r++)
            {
                InputRows(strip.Slice(r * width + 4 * tx, 6), res);
                for (int j = 0; j < 6; j++) t[6 * r + j] = res[j];
            }
            int at = tile0 + tx;
            for (int j = 0; j < 6; j++)
            {
                for (int r = 0; r < 6; r++) col[r] = t[6 * r + j];
                InputRows(col, res);
                for (int i = 0; i < 6; i++) v[(6 * i + j) * stride + at] = res[i];
            }
        }
    }

    /// <summary>Bᵀ·d for six values.</summary>
    private static void InputRows<T>(ReadOnlySpan<T> d, Span<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T two = T.CreateChecked(2), four = T.CreateChecked(4), five = T.CreateChecked(5);
        b[0] = four * d[0] - five * d[2] + d[4];
        b[1] = (d[3] + d[4]) - four * (d[1] + d[2]);
        b[2] = (d[4] - d[3]) + four * (d[1] - d[2]);
        b[3] = (d[4] - d[2]) - two * (d[1] - d[3]);
        b[4] = (d[4] - d[2]) + two * (d[1] - d[3]);
        b[5] = four * d[1] - five * d[3] + d[5];
    }

    /// <summary>The 4 output rows of a tile row: out[a][4tx + b] = (Aᵀ m A)[a][b] with m[ξ] = M[ξ·stride + tile0 + tx].</summary>
    public static void Output<T>(ReadOnlySpan<T> m, int tile0, int stride, int tiles, Span<T> output, int width) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> r = stackalloc T[24];
        Span<T> col = stackalloc T[6];
        Span<T> res = stackalloc T[4];
        for (int tx = 0; tx < tiles; tx++)
        {
            int at = tile0 + tx;
            for (int i = 0; i < 6; i++)
            {
                for (int j = 0; j < 6; j++) col[j] = m[(6 * i + j) * stride + at];
                OutputRows(col, res);
                for (int b = 0; b < 4; b++) r[4 * i + b] = res[b];
            }
            for (int b = 0; b < 4; b++)
            {
                for (int i = 0; i < 6; i++) col[i] = r[4 * i + b];
                OutputRows(col, res);
                for (int a = 0; a < 4; a++) output[a * width + 4 * tx + b] = res[a];
            }
        }
    }

    /// <summary>Aᵀ·m for six values.</summary>
    private static void OutputRows<T>(ReadOnlySpan<T> m, Span<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T two = T.CreateChecked(2), four = T.CreateChecked(4), eight = T.CreateChecked(8);
        T s1 = m[1] + m[2], d1 = m[1] - m[2], s2 = m[3] + m[4], d2 = m[3] - m[4];
        a[0] = m[0] + s1 + s2;
        a[1] = d1 + two * d2;
        a[2] = s1 + four * s2;
        a[3] = d1 + eight * d2 + m[5];
    }

    /// <summary>dM[ξ][tile0 + tx] = (A z Aᵀ)[ξ] for the 4x4 output-gradient tiles z of a 4-row strip: the output transform's
    /// adjoint, used by the weight gradient.</summary>
    public static void OutputAdjoint<T>(ReadOnlySpan<T> strip, int width, int tiles, Span<T> dm, int tile0, int stride) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> q = stackalloc T[24];
        Span<T> col = stackalloc T[4];
        Span<T> res = stackalloc T[6];
        for (int tx = 0; tx < tiles; tx++)
        {
            for (int a = 0; a < 4; a++)
            {
                AdjointRows(strip.Slice(a * width + 4 * tx, 4), res);
                for (int j = 0; j < 6; j++) q[6 * a + j] = res[j];
            }
            int at = tile0 + tx;
            for (int j = 0; j < 6; j++)
            {
                for (int a = 0; a < 4; a++) col[a] = q[6 * a + j];
                AdjointRows(col, res);
                for (int i = 0; i < 6; i++) dm[(6 * i + j) * stride + at] = res[i];
            }
        }
    }

    /// <summary>A·z for four values (A = (Aᵀ)ᵀ, 6x4).</summary>
    private static void AdjointRows<T>(ReadOnlySpan<T> z, Span<T> q) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T two = T.CreateChecked(2), four = T.CreateChecked(4);
        T even = z[0] + z[2], odd = z[1] + z[3], even4 = z[0] + four * z[2], odd4 = z[1] + four * z[3];
        q[0] = z[0];
        q[1] = even + odd;
        q[2] = even - odd;
        q[3] = even4 + two * odd4;
        q[4] = even4 - two * odd4;
        q[5] = z[3];
    }

    /// <summary>dw[k][c] (3x3, overwritten) = Gᵀ dU[ξ][k][c] G: the filter transform's adjoint.</summary>
    public static void FilterGradient<T>(ReadOnlySpan<T> du, int k, int c, Span<T> dw) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> v = stackalloc T[36];
        Span<T> t = stackalloc T[18];
        Span<T> col = stackalloc T[6];
        Span<T> res = stackalloc T[3];
        int plane = k * c;
        for (int e = 0; e < plane; e++)
        {
            for (int p = 0; p < 36; p++) v[p] = du[p * plane + e];
            // t = Gᵀ v (3x6), then dw = t G (3x3).
            for (int j = 0; j < 6; j++)
            {
                for (int i = 0; i < 6; i++) col[i] = v[6 * i + j];
                FilterAdjointRows(col, res);
                for (int r = 0; r < 3; r++) t[6 * r + j] = res[r];
            }
            var dst = dw.Slice(e * 9, 9);
            for (int r = 0; r < 3; r++)
            {
                FilterAdjointRows(t.Slice(6 * r, 6), res);
                for (int s = 0; s < 3; s++) dst[3 * r + s] = res[s];
            }
        }
    }

    /// <summary>Gᵀ·v for six values.</summary>
    private static void FilterAdjointRows<T>(ReadOnlySpan<T> v, Span<T> r) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T quarter = Constants<T>.Quarter, sixth = Constants<T>.Sixth, twelfth = Constants<T>.Twelfth, t24 = Constants<T>.TwentyFourth;
        r[0] = quarter * v[0] - sixth * (v[1] + v[2]) + t24 * (v[3] + v[4]);
        r[1] = sixth * (v[2] - v[1]) + twelfth * (v[3] - v[4]);
        r[2] = sixth * (v[3] + v[4] - v[1] - v[2]) + v[5];
    }

    /// <summary>G's fractions, computed once per type instead of per kernel.</summary>
    private static class Constants<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static readonly T Quarter = T.CreateChecked(0.25);
        public static readonly T Sixth = T.One / T.CreateChecked(6);
        public static readonly T Twelfth = T.One / T.CreateChecked(12);
        public static readonly T TwentyFourth = T.One / T.CreateChecked(24);
    }
}
