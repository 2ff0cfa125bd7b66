using System.Numerics;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// The 3-D im2col: row (c, kd, kh, kw), column (od, oh, ow) holds
/// x[c, od·SD - PF + kd·DD, oh·SH - PT + kh·DH, ow·SW - PL + kw·DW] or 0 in the padding, so a 3-D convolution is the
/// GEMM W[Cout, C·KD·KH·KW] x col. <see cref="Accumulate"/> (col2vol) is its adjoint. For one (c, kd, od) the KH·KW rows'
/// (oh, ow) block is the 2-D im2col of input plane id = od·SD - PF + kd·DD, so the 2-D <see cref="Im2Col"/> (pointer
/// loops) does the work plane by plane; a plane in the depth padding is zeros.
/// </summary>
internal static class Im2Col3d
{
    public static void Lower<T>(ReadOnlySpan<T> x, int channels, in ConvGeometry3 g, Span<T> col, int ldCol, int colOffset0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g2 = g.To2d();
        if (g.Is2d) { Im2Col.Lower(x, channels, g2, col, ldCol, colOffset0); return; }
        int plane = g.H * g.W, outPlane = g.OutH * g.OutW, k2 = g.KH * g.KW;
        for (int c = 0; c < channels; c++)
            for (int kd = 0; kd < g.KD; kd++)
            {
                var rows = col[((c * g.KD + kd) * k2 * ldCol)..];
                for (int od = 0; od < g.OutD; od++)
                {
                    int id = od * g.SD - g.PadFront + kd * g.DD, offset = colOffset0 + od * outPlane;
                    if ((uint)id < (uint)g.D) Im2Col.Lower(x.Slice((c * g.D + id) * plane, plane), 1, g2, rows, ldCol, offset);
                    else for (int r = 0; r < k2; r++) rows.Slice(r * ldCol + offset, outPlane).Clear();
                }
            }
    }

    /// <summary>x[c, id, ih, iw] += col[(c,kd,kh,kw), (od,oh,ow)] over every window that read that voxel.</summary>
    public static void Accumulate<T>(ReadOnlySpan<T> col, int channels, in ConvGeometry3 g, Span<T> x, int ldCol, int colOffset0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g2 = g.To2d();
        if (g.Is2d) { Im2Col.Accumulate(col, channels, g2, x, ldCol, colOffset0); return; }
        int plane = g.H * g.W, outPlane = g.OutH * g.OutW, k2 = g.KH * g.KW;
        for (int c = 0; c < channels; c++)
            for (int kd = 0; kd < g.KD; kd++)
            {
                var rows = col[((c * g.KD + kd) * k2 * ldCol)..];
                for (int od = 0; od < g.OutD; od++)
                {
                    int id = od * g.SD - g.PadFront + kd * g.DD;
                    if ((uint)id < (uint)g.D) Im2Col.Accumulate(rows, 1, g2, x.Slice((c * g.D + id) * plane, plane), ldCol, colOffset0 + od * outPlane);
                }
            }
    }
}
