using System.Numerics;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// The 3-D im2col: row (c, kd, kh, kw), column (od, oh, ow) holds
/// x[c, od·SD - PF + kd·DD, oh·SH - PT + kh·DH, ow·SW - PL + kw·DW] or 0 in the padding, so a 3-D convolution is the
/// GEMM W[Cout, C·KD·KH·KW] x col. <see cref="Accumulate"/> (col2vol) is its adjoint. When the depth is trivial the
/// 2-D <see cref="Im2Col"/> (pointer loops, tuned for LeNet-sized layers) does the work instead.
/// </summary>
internal static class Im2Col3d
{
    public static void Lower<T>(ReadOnlySpan<T> x, int channels, in ConvGeometry3 g, Span<T> col, int ldCol, int colOffset0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.Is2d) { Im2Col.Lower(x, channels, g.To2d(), col, ldCol, colOffset0); return; }
        int row = 0, plane = g.H * g.W, volume = g.D * plane;
        for (int c = 0; c < channels; c++)
            for (int kd = 0; kd < g.KD; kd++)
                for (int kh = 0; kh < g.KH; kh++)
                    for (int kw = 0; kw < g.KW; kw++, row++)
                    {
                        var dst = col.Slice(row * ldCol + colOffset0, g.OutPixels);
                        int o = 0;
                        for (int od = 0; od < g.OutD; od++)
                        {
                            int id = od * g.SD - g.PadFront + kd * g.DD;
                            for (int oh = 0; oh < g.OutH; oh++, o += g.OutW)
                            {
                                int ih = oh * g.SH - g.PadTop + kh * g.DH;
                                var line = dst.Slice(o, g.OutW);
                                if ((uint)id >= (uint)g.D || (uint)ih >= (uint)g.H) { line.Clear(); continue; }
                                var src = x.Slice(c * volume + id * plane + ih * g.W, g.W);
                                for (int ow = 0; ow < g.OutW; ow++)
                                {
                                    int iw = ow * g.SW - g.PadLeft + kw * g.DW;
                                    line[ow] = (uint)iw < (uint)g.W ? src[iw] : T.Zero;
                                }
                            }
                        }
                    }
    }

    /// <summary>x[c, id, ih, iw] += col[(c,kd,kh,kw), (od,oh,ow)] over every window that read that voxel.</summary>
    public static void Accumulate<T>(ReadOnlySpan<T> col, int channels, in ConvGeometry3 g, Span<T> x, int ldCol, int colOffset0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.Is2d) { Im2Col.Accumulate(col, channels, g.To2d(), x, ldCol, colOffset0); return; }
        int row = 0, plane = g.H * g.W, volume = g.D * plane;
        for (int c = 0; c < channels; c++)
            for (int kd = 0; kd < g.KD; kd++)
                for (int kh = 0; kh < g.KH; kh++)
                    for (int kw = 0; kw < g.KW; kw++, row++)
                    {
                        var src = col.Slice(row * ldCol + colOffset0, g.OutPixels);
                        int o = 0;
                        for (int od = 0; od < g.OutD; od++)
                        {
                            int id = od * g.SD - g.PadFront + kd * g.DD;
                            for (int oh = 0; oh < g.OutH; oh++, o += g.OutW)
                            {
                                int ih = oh * g.SH - g.PadTop + kh * g.DH;
                                if ((uint)id >= (uint)g.D || (uint)ih >= (uint)g.H) continue;
                                var line = src.Slice(o, g.OutW);
                                var dst = x.Slice(c * volume + id * plane + ih * g.W, g.W);
                                for (int ow = 0; ow < g.OutW; ow++)
                                {
                                    int iw = ow * g.SW - g.PadLeft + kw * g.DW;
                                    if ((uint)iw < (uint)g.W) dst[iw] += line[ow];
                                }
                            }
                        }
                    }
    }
}
