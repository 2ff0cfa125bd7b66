using System.Numerics;

namespace Hubel.Backends.Cpu;

/// <summary>
/// The transforms of Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray 2016), scalar and generic over float and
/// double. A 2x2 output tile of a 3x3 correlation over a 4x4 input tile d is Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A with
/// <code>
/// Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]   G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]   Aᵀ = [1 1 1 0; 0 1 -1 -1]
/// </code>
/// so 16 multiplies replace 36. Transformed values are stored point-major: the 16 points ξ = 4i + j are 16 separate
/// matrices (filters [ξ][K][C], tiles [ξ][C][tiles]), so the channel sums become 16 GEMMs.
/// The weight gradient is the adjoint: dU = Σ_tiles (A dY Aᵀ) ⊙ (Bᵀ d B), dg = Gᵀ dU G.
/// </summary>
internal static class WinogradTransforms
{
    public const int Points = 16;

    /// <summary>g = the 3x3 kernel (o, i) of w [K, C, 3, 3], rotated by 180° when <paramref name="flipTranspose"/>; returns
    /// where its transform goes within one point's [K][C] (or, flipped, [C][K]) block of U. Shared by both tile sizes.</summary>
    internal static int ReadKernel<T>(ReadOnlySpan<T> w, int o, int i, int k, int c, bool flipTranspose, Span<T> g) where T : unmanaged
    {
        var src = w.Slice((o * c + i) * 9, 9);
        for (int e = 0; e < 9; e++) g[e] = flipTranspose ? src[8 - e] : src[e];
        return flipTranspose ? i * k + o : o * c + i;
    }

    /// <summary>U[ξ][o][i] = (G g Gᵀ)[ξ] for the 3x3 kernels of w [K, C, 3, 3]. With <paramref name="flipTranspose"/> the
    /// result is for the adjoint (input-gradient) correlation instead: U[ξ][c][k] from w[k][c] rotated by 180°.</summary>
    public static void Filter<T>(ReadOnlySpan<T> w, int k, int c, bool flipTranspose, Span<T> u) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T half = T.CreateChecked(0.5);
        Span<T> g = stackalloc T[9];
        Span<T> t = stackalloc T[12];
        int plane = k * c;
        for (int o = 0; o < k; o++)
            for (int i = 0; i < c; i++)
            {
                int at = ReadKernel(w, o, i, k, c, flipTranspose, g);
                // t = G g (4x3), then U = t Gᵀ (4x4).
                for (int col = 0; col < 3; col++)
                {
                    T g0 = g[col], g1 = g[3 + col], g2 = g[6 + col];
                    t[col] = g0;
                    t[3 + col] = half * (g0 + g1 + g2);
                    t[6 + col] = half * (g0 - g1 + g2);
                    t[9 + col] = g2;
                }
                for (int r = 0; r < 4; r++)
                {
                    T t0 = t[3 * r], t1 = t[3 * r + 1], t2 = t[3 * r + 2];
                    u[(4 * r) * plane + at] = t0;
                    u[(4 * r + 1) * plane + at] = half * (t0 + t1 + t2);
                    u[(4 * r + 2) * plane + at] = half * (t0 - t1 + t2);
                    u[(4 * r + 3) * plane + at] = t2;
                }
            }
    }

    /// <summary>dw[k][c] (3x3, overwritten) = Gᵀ dU[ξ][k][c] G: the filter transform's adjoint.</summary>
    public static void FilterGradient<T>(ReadOnlySpan<T> du, int k, int c, Span<T> dw) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T half = T.CreateChecked(0.5);
        Span<T> v = stackalloc T[16];
        Span<T> t = stackalloc T[12];
        int plane = k * c;
        for (int e = 0; e < plane; e++)
        {
            for (int p = 0; p < 16; p++) v[p] = du[p * plane + e];
            // t = Gᵀ v (3x4), then dw = t G (3x3).
            for (int col = 0; col < 4; col++)
            {
                T v0 = v[col], v1 = v[4 + col], v2 = v[8 + col], v3 = v[12 + col];
                t[col] = v0 + half * (v1 + v2);
                t[4 + col] = half * (v1 - v2);
                t[8 + col] = half * (v1 + v2) + v3;
            }
            var dst = dw.Slice(e * 9, 9);
            for (int r = 0; r < 3; r++)
            {
                T t0 = t[4 * r], t1 = t[4 * r + 1], t2 = t[4 * r + 2], t3 = t[4 * r + 3];
                dst[3 * r] = t0 + half * (t1 + t2);
                dst[3 * r + 1] = half * (t1 - t2);
                dst[3 * r + 2] = half * (t1 + t2) + t3;
            }
        }
    }

    /// <summary>Copies <paramref name="rows"/> rows of a plane, starting at plane row <paramref name="row0"/>, shifted right by
    /// <paramref name="padLeft"/> into a zero-bordered strip of width <paramref name="width"/> (rows or columns outside the plane
    /// read as zero; a negative shift crops).</summary>
    public static void Strip<T>(ReadOnlySpan<T> plane, int h, int w, int row0, int rows, int padLeft, Span<T> strip, int width) where T : unmanaged
    {
        int srcStart = Math.Max(0, -padLeft), dstStart = srcStart + padLeft;
        int count = Math.Min(w - srcStart, width - dstStart);
        for (int r = 0; r < rows; r++)
        {
            var dst = strip.Slice(r * width, width);
            int src = row0 + r;
            if (src < 0 || src >= h || count <= 0) { dst.Clear(); continue; }
            dst[..dstStart].Clear();
            plane.Slice(src * w + srcStart, count).CopyTo(dst.Slice(dstStart, count));
            dst[(dstStart + count)..].Clear();
        }
    }

    /// <summary>V[ξ][tile0 + tx] = (Bᵀ d B)[ξ] for the <paramref name="tiles"/> tiles of a 4-row strip (tile tx reads columns
    /// 2tx..2tx+3); <paramref name="stride"/> is the distance between two points' rows in <paramref name="v"/>.</summary>
    public static void Input<T>(ReadOnlySpan<T> strip, int width, int tiles, Span<T> v, int tile0, int stride) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> t = stackalloc T[16];
        for (int tx = 0; tx < tiles; tx++)
        {
            for (int r = 0; r < 4; r++)
            {
                var d = strip.Slice(r * width + 2 * tx, 4);
                t[4 * r] = d[0] - d[2];
                t[4 * r + 1] = d[1] + d[2];
                t[4 * r + 2] = d[2] - d[1];
                t[4 * r + 3] = d[1] - d[3];
            }
            int at = tile0 + tx;
            for (int j = 0; j < 4; j++)
            {
                T t0 = t[j], t1 = t[4 + j], t2 = t[8 + j], t3 = t[12 + j];
                v[j * stride + at] = t0 - t2;
                v[(4 + j) * stride + at] = t1 + t2;
                v[(8 + j) * stride + at] = t2 - t1;
                v[(12 + j) * stride + at] = t1 - t3;
            }
        }
    }

    /// <summary>The 2 output rows of a tile row: out[a][2tx + b] = (Aᵀ m A)[a][b] with m[ξ] = M[ξ·stride + tile0 + tx].</summary>
    public static void Output<T>(ReadOnlySpan<T> m, int tile0, int stride, int tiles, Span<T> output, int width) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> r = stackalloc T[8];
        for (int tx = 0; tx < tiles; tx++)
        {
            int at = tile0 + tx;
            for (int i = 0; i < 4; i++)
            {
                T m0 = m[(4 * i) * stride + at], m1 = m[(4 * i + 1) * stride + at], m2 = m[(4 * i + 2) * stride + at], m3 = m[(4 * i + 3) * stride + at];
                r[2 * i] = m0 + m1 + m2;
                r[2 * i + 1] = m1 - m2 - m3;
            }
            for (int b = 0; b < 2; b++)
            {
                output[2 * tx + b] = r[b] + r[2 + b] + r[4 + b];
                output[width + 2 * tx + b] = r[2 + b] - r[4 + b] - r[6 + b];
            }
        }
    }

    /// <summary>dM[ξ][tile0 + tx] = (A z Aᵀ)[ξ] for the 2x2 output-gradient tiles z of a 2-row strip: the output transform's
    /// adjoint, used by the weight gradient.</summary>
    public static void OutputAdjoint<T>(ReadOnlySpan<T> strip, int width, int tiles, Span<T> dm, int tile0, int stride) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> q = stackalloc T[8];
        for (int tx = 0; tx < tiles; tx++)
        {
            for (int a = 0; a < 2; a++)
            {
                T z0 = strip[a * width + 2 * tx], z1 = strip[a * width + 2 * tx + 1];
                q[4 * a] = z0;
                q[4 * a + 1] = z0 + z1;
                q[4 * a + 2] = z0 - z1;
                q[4 * a + 3] = -z1;
            }
            int at = tile0 + tx;
            for (int j = 0; j < 4; j++)
            {
                T q0 = q[j], q1 = q[4 + j];
                dm[j * stride + at] = q0;
                dm[(4 + j) * stride + at] = q0 + q1;
                dm[(8 + j) * stride + at] = q0 - q1;
                dm[(12 + j) * stride + at] = -q1;
            }
        }
    }
}
