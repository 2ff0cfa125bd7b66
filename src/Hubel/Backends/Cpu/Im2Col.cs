using System.Numerics;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Lowers one image's convolution windows to a matrix (the notes' im2col view): row (c, ki, kj),
/// column (oh, ow) holds x[c, oh*S - P + ki*D, ow*S - P + kj*D] or 0 in the padding. Convolution is
/// then a GEMM W[Cout, C*KH*KW] x col[C*KH*KW, OH*OW]. <see cref="Accumulate"/> (col2im) is the adjoint (it adds back).
/// </summary>
internal static class Im2Col
{
    /// <param name="x">one image's channels [channels, H, W], contiguous.</param>
    /// <param name="col">[channels*KH*KW, OH*OW] at column <paramref name="colOffset0"/> of rows <paramref name="ldCol"/> long
    /// (several images side by side make one wide GEMM operand).</param>
    public static void Lower<T>(ReadOnlySpan<T> x, int channels, in ConvGeometry g, Span<T> col, int ldCol = -1, int colOffset0 = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int p = g.OutPixels;
        if (ldCol < 0) ldCol = p;
        int row = 0;
        for (int c = 0; c < channels; c++)
        {
            var plane = x.Slice(c * g.H * g.W, g.H * g.W);
            for (int ki = 0; ki < g.KH; ki++)
            for (int kj = 0; kj < g.KW; kj++, row++)
            {
                var dst = col.Slice(row * ldCol + colOffset0, p);
                int colOffset = kj * g.DW - g.PadLeft;
                // ow range whose input column lies inside [0, W)
                int owLo = FirstInside(colOffset, g.SW), owHi = EndInside(colOffset, g.SW, g.W, g.OutW);
                for (int oh = 0; oh < g.OutH; oh++)
                {
                    var drow = dst.Slice(oh * g.OutW, g.OutW);
                    int ih = oh * g.SH - g.PadTop + ki * g.DH;
                    if ((uint)ih >= (uint)g.H || owLo >= owHi) { drow.Clear(); continue; }
                    var srow = plane.Slice(ih * g.W, g.W);
                    drow[..owLo].Clear();
                    if (g.SW == 1) srow.Slice(owLo + colOffset, owHi - owLo).CopyTo(drow[owLo..owHi]);
                    else for (int ow = owLo; ow < owHi; ow++) drow[ow] = srow[ow * g.SW + colOffset];
                    drow[owHi..].Clear();
                }
            }
        }
    }

    /// <summary>x[c, ih, iw] += col[(c,ki,kj), (oh,ow)] over every window that read that pixel.</summary>
    public static void Accumulate<T>(ReadOnlySpan<T> col, int channels, in ConvGeometry g, Span<T> x, int ldCol = -1, int colOffset0 = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int p = g.OutPixels;
        if (ldCol < 0) ldCol = p;
        int row = 0;
        for (int c = 0; c < channels; c++)
        {
            var plane = x.Slice(c * g.H * g.W, g.H * g.W);
            for (int ki = 0; ki < g.KH; ki++)
            for (int kj = 0; kj < g.KW; kj++, row++)
            {
                var src = col.Slice(row * ldCol + colOffset0, p);
                int colOffset = kj * g.DW - g.PadLeft;
                int owLo = FirstInside(colOffset, g.SW), owHi = EndInside(colOffset, g.SW, g.W, g.OutW);
                if (owLo >= owHi) continue;
                for (int oh = 0; oh < g.OutH; oh++)
                {
                    int ih = oh * g.SH - g.PadTop + ki * g.DH;
                    if ((uint)ih >= (uint)g.H) continue;
                    var drow = plane.Slice(ih * g.W, g.W);
                    var srow = src.Slice(oh * g.OutW, g.OutW);
                    if (g.SW == 1)
                    {
                        var d = drow.Slice(owLo + colOffset, owHi - owLo);
                        System.Numerics.Tensors.TensorPrimitives.Add<T>(d, srow[owLo..owHi], d);
                    }
                    else for (int ow = owLo; ow < owHi; ow++) drow[ow * g.SW + colOffset] += srow[ow];
                }
            }
        }
    }

    /// <summary>Smallest ow with ow*stride + offset >= 0.</summary>
    private static int FirstInside(int offset, int stride) => offset >= 0 ? 0 : (-offset + stride - 1) / stride;

    /// <summary>One past the largest ow (below outW) with ow*stride + offset &lt; width.</summary>
    private static int EndInside(int offset, int stride, int width, int outW)
    {
        if (width - offset <= 0) return 0;
        return Math.Min(outW, (width - offset - 1) / stride + 1);
    }
}
