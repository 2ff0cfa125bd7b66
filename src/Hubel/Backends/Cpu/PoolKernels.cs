using System.Numerics;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>Max and average pooling over [N*C] planes, split over the CPU workers. Max pooling records
/// the argmax of each window so backward routes the gradient there (the notes' rule; overlapping windows
/// add up); average pooling spreads it evenly over the window.</summary>
internal static class PoolKernels
{
    /// <summary>At least 4 planes, and enough of them that a second worker is worth waking (LeNet's batch-1 pools are not).</summary>
    private static int PlanesPerWorker(in ConvGeometry g) => Math.Max(4, CpuThreads.MinItemsPerWorker((long)g.H * g.W));

    public static void MaxForward<T>(ReadOnlyMemory<T> x, Memory<T> y, int[] argmax, ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int planes = g.N * g.C, hw = g.H * g.W, p = g.OutPixels;
        if (g.PadTop == 0 && g.PadLeft == 0 && g.DH == 1 && g.DW == 1 && (g.OutH - 1) * g.SH + g.KH <= g.H && (g.OutW - 1) * g.SW + g.KW <= g.W)
        {
            CpuThreads.For(planes, (p0, p1) => MaxForwardInterior(x.Span, y.Span, argmax, g, p0, p1), minPerWorker: PlanesPerWorker(g));
            return;
        }
        CpuThreads.For(planes, (p0, p1) =>
        {
            var xs = x.Span; var ys = y.Span;
            for (int plane = p0; plane < p1; plane++)
            {
                var src = xs.Slice(plane * hw, hw);
                for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++)
                {
                    T best = T.NegativeInfinity;
                    int bestIdx = -1;
                    for (int ki = 0; ki < g.KH; ki++)
                    {
                        int ih = oh * g.SH - g.PadTop + ki * g.DH;
                        if ((uint)ih >= (uint)g.H) continue;
                        for (int kj = 0; kj < g.KW; kj++)
                        {
                            int iw = ow * g.SW - g.PadLeft + kj * g.DW;
                            if ((uint)iw >= (uint)g.W) continue;
                            T v = src[ih * g.W + iw];
                            // NaN propagates, as in PyTorch: a NaN in the window wins.
                            if (v > best || T.IsNaN(v) || bestIdx < 0) { best = v; bestIdx = ih * g.W + iw; if (T.IsNaN(v)) goto done; }
                        }
                    }
                done:
                    int o = plane * p + oh * g.OutW + ow;
                    ys[o] = best;
                    argmax[o] = bestIdx;
                }
            }
        }, minPerWorker: PlanesPerWorker(g));
    }

    /// <summary>The common case (no padding or dilation, every window inside the image): no bounds tests in
    /// the inner loops, rows addressed directly. NaN still wins, as in PyTorch.</summary>
    private static void MaxForwardInterior<T>(ReadOnlySpan<T> xs, Span<T> ys, int[] argmax, in ConvGeometry g, int p0, int p1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hw = g.H * g.W, p = g.OutPixels;
        for (int plane = p0; plane < p1; plane++)
        {
            var src = xs.Slice(plane * hw, hw);
            var dst = ys.Slice(plane * p, p);
            var idx = argmax.AsSpan(plane * p, p);
            for (int oh = 0; oh < g.OutH; oh++)
            {
                int rowBase = oh * g.SH * g.W;
                for (int ow = 0; ow < g.OutW; ow++)
                {
                    int start = rowBase + ow * g.SW;
                    T best = src[start];
                    int bestIdx = start;
                    for (int ki = 0; ki < g.KH; ki++)
                    {
                        var row = src.Slice(start + ki * g.W, g.KW);
                        for (int kj = 0; kj < row.Length; kj++)
                        {
                            T v = row[kj];
                            if (v > best || (T.IsNaN(v) && !T.IsNaN(best))) { best = v; bestIdx = start + ki * g.W + kj; }
                        }
                    }
                    dst[oh * g.OutW + ow] = best;
                    idx[oh * g.OutW + ow] = bestIdx;
                }
            }
        }
    }

    public static void MaxBackward<T>(ReadOnlyMemory<T> dy, int[] argmax, Memory<T> dx, ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int planes = g.N * g.C, hw = g.H * g.W, p = g.OutPixels;
        CpuThreads.For(planes, (p0, p1) =>
        {
            var dys = dy.Span; var dxs = dx.Span;
            for (int plane = p0; plane < p1; plane++)
                for (int o = 0; o < p; o++)
                {
                    int idx = argmax[plane * p + o];
                    if (idx >= 0) dxs[plane * hw + idx] += dys[plane * p + o];
                }
        }, minPerWorker: PlanesPerWorker(g));
    }

    /// <summary>Window size used as divisor, following PyTorch: with count_include_pad the window is clipped
    /// to the padded input; without, to the input itself.</summary>
    private static int Divisor(in ConvGeometry g, int oh, int ow, bool countIncludePad, int padBottom, int padRight,
        out int h0, out int h1, out int w0, out int w1)
    {
        int hs = oh * g.SH - g.PadTop, ws = ow * g.SW - g.PadLeft;
        int he = Math.Min(hs + g.KH, g.H + padBottom), we = Math.Min(ws + g.KW, g.W + padRight);
        int poolSize = (he - hs) * (we - ws);
        h0 = Math.Max(hs, 0); w0 = Math.Max(ws, 0);
        h1 = Math.Min(he, g.H); w1 = Math.Min(we, g.W);
        return countIncludePad ? poolSize : (h1 - h0) * (w1 - w0);
    }

    public static void AvgForward<T>(ReadOnlyMemory<T> x, Memory<T> y, ConvGeometry g, bool countIncludePad, int padBottom, int padRight)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int planes = g.N * g.C, hw = g.H * g.W, p = g.OutPixels;
        CpuThreads.For(planes, (p0, p1) =>
        {
            var xs = x.Span; var ys = y.Span;
            for (int plane = p0; plane < p1; plane++)
            {
                var src = xs.Slice(plane * hw, hw);
                for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++)
                {
                    int div = Divisor(g, oh, ow, countIncludePad, padBottom, padRight, out int h0, out int h1, out int w0, out int w1);
                    T sum = T.Zero;
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++) sum += src[ih * g.W + iw];
                    ys[plane * p + oh * g.OutW + ow] = div > 0 ? sum / T.CreateChecked(div) : T.Zero;
                }
            }
        }, minPerWorker: PlanesPerWorker(g));
    }

    public static void AvgBackward<T>(ReadOnlyMemory<T> dy, Memory<T> dx, ConvGeometry g, bool countIncludePad, int padBottom, int padRight)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int planes = g.N * g.C, hw = g.H * g.W, p = g.OutPixels;
        CpuThreads.For(planes, (p0, p1) =>
        {
            var dys = dy.Span; var dxs = dx.Span;
            for (int plane = p0; plane < p1; plane++)
            {
                var dst = dxs.Slice(plane * hw, hw);
                for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++)
                {
                    int div = Divisor(g, oh, ow, countIncludePad, padBottom, padRight, out int h0, out int h1, out int w0, out int w1);
                    if (div == 0) continue;
                    T share = dys[plane * p + oh * g.OutW + ow] / T.CreateChecked(div);
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++) dst[ih * g.W + iw] += share;
                }
            }
        }, minPerWorker: PlanesPerWorker(g));
    }
}
