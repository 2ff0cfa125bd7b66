using System.Numerics;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>Adaptive max/average pooling over [N*C] planes of H×W to OH×OW, split over the CPU workers. Output
/// cell i spans PyTorch's window [floor(i·in/out), ceil((i+1)·in/out)), so windows may overlap by one row when
/// out does not divide in; max records the per-plane argmax (flat h·W + w) so backward routes the gradient there.</summary>
internal static class AdaptivePoolKernels
{
    public static int Start(int i, int input, int output) => (int)((long)i * input / output);

    public static int End(int i, int input, int output) => (int)(((long)(i + 1) * input + output - 1) / output);

    /// <summary>Window bounds of every output cell along one dimension, computed once per call (two 64-bit divisions
    /// per cell would otherwise sit in the innermost output loop).</summary>
    private static (int[] Lo, int[] Hi) Bins(int input, int output)
    {
        var lo = new int[output];
        var hi = new int[output];
        for (int i = 0; i < output; i++) { lo[i] = Start(i, input, output); hi[i] = End(i, input, output); }
        return (lo, hi);
    }

    public static void MaxForward<T>(ReadOnlyMemory<T> x, Memory<T> y, int[] argmax, int planes, int h, int w, int oh, int ow)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (hLo, hHi) = Bins(h, oh);
        var (wLo, wHi) = Bins(w, ow);
        CpuThreads.For(planes, (p0, p1) =>
        {
            var xs = x.Span; var ys = y.Span;
            for (int plane = p0; plane < p1; plane++)
            {
                var src = xs.Slice(plane * h * w, h * w);
                int o = plane * oh * ow;
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++, o++)
                    {
                        int w0 = wLo[j], len = wHi[j] - w0;
                        int bestIdx = hLo[i] * w + w0;
                        T best = src[bestIdx];
                        for (int ih = hLo[i]; ih < hHi[i]; ih++)
                        {
                            var row = src.Slice(ih * w + w0, len);
                            for (int k = 0; k < row.Length; k++)
                            {
                                T v = row[k];
                                // NaN wins, as in PyTorch; the first NaN stays.
                                if (v > best || (T.IsNaN(v) && !T.IsNaN(best))) { best = v; bestIdx = ih * w + w0 + k; }
                            }
                        }
                        ys[o] = best;
                        argmax[o] = bestIdx;
                    }
            }
        }, minPerWorker: 4);
    }

    public static void AvgForward<T>(ReadOnlyMemory<T> x, Memory<T> y, int planes, int h, int w, int oh, int ow)
        where T : unmanaged, IFloatingPointIeee754<T> => AvgPass(x, y, planes, h, w, oh, ow, backward: false);

    public static void AvgBackward<T>(ReadOnlyMemory<T> dy, Memory<T> dx, int planes, int h, int w, int oh, int ow)
        where T : unmanaged, IFloatingPointIeee754<T> => AvgPass(dy, dx, planes, h, w, oh, ow, backward: true);

    private static void AvgPass<T>(ReadOnlyMemory<T> from, Memory<T> to, int planes, int h, int w, int oh, int ow, bool backward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (hLo, hHi) = Bins(h, oh);
        var (wLo, wHi) = Bins(w, ow);
        CpuThreads.For(planes, (p0, p1) =>
        {
            var src = from.Span; var dst = to.Span;
            for (int plane = p0; plane < p1; plane++)
            {
                int inBase = plane * h * w, o = plane * oh * ow;
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++, o++)
                    {
                        int w0 = wLo[j], len = wHi[j] - w0;
                        T count = T.CreateChecked((hHi[i] - hLo[i]) * len);
                        if (backward)
                        {
                            T share = src[o] / count;
                            for (int ih = hLo[i]; ih < hHi[i]; ih++)
                            {
                                var row = dst.Slice(inBase + ih * w + w0, len);
                                for (int k = 0; k < row.Length; k++) row[k] += share;
                            }
                        }
                        else
                        {
                            T sum = T.Zero;
                            for (int ih = hLo[i]; ih < hHi[i]; ih++)
                                foreach (T v in src.Slice(inBase + ih * w + w0, len)) sum += v;
                            dst[o] = sum / count;
                        }
                    }
            }
        }, minPerWorker: 4);
    }

    /// <summary>Power-average (LP) pooling, PyTorch's definition: y = (c·Σ x^p)^(1/p) over each window (no padding,
    /// no dilation), where c = kernel area / clipped window area is 1 except for the clipped last window of ceil
    /// mode (PyTorch computes the sum as avg_pool2d × kernel area, and avg_pool2d divides a clipped window by its
    /// clipped size). A negative sum (odd or fractional p) gives NaN, as in PyTorch.</summary>
    public static void LpForward<T>(ReadOnlyMemory<T> x, Memory<T> y, ConvGeometry g, T p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuThreads.For(g.N * g.C, (p0, p1) =>
        {
            var xs = x.Span; var ys = y.Span;
            T invP = T.One / p;
            bool two = p == T.CreateChecked(2);
            for (int plane = p0; plane < p1; plane++)
            {
                int inBase = plane * g.H * g.W, o = plane * g.OutPixels;
                for (int oh = 0; oh < g.OutH; oh++)
                    for (int ow = 0; ow < g.OutW; ow++, o++)
                    {
                        var (h0, h1, w0, w1, c) = LpWindow<T>(g, oh, ow);
                        T sum = T.Zero;
                        // L2 pooling is the common case; Pow is several times slower than a multiply and a root.
                        if (two)
                        {
                            for (int ih = h0; ih < h1; ih++)
                                foreach (T v in xs.Slice(inBase + ih * g.W + w0, w1 - w0)) sum += v * v;
                            ys[o] = T.Sqrt(c * sum);
                        }
                        else
                        {
                            for (int ih = h0; ih < h1; ih++)
                                foreach (T v in xs.Slice(inBase + ih * g.W + w0, w1 - w0)) sum += T.Pow(v, p);
                            ys[o] = T.Pow(c * sum, invP);
                        }
                    }
            }
        }, minPerWorker: 4);
    }

    /// <summary>dx_i += dy · c · y^(1-p) · x_i^(p-1), the chain rule through (c·Σ x^p)^(1/p).</summary>
    public static void LpBackward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> y, ReadOnlyMemory<T> dy, Memory<T> dx, ConvGeometry g, T p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuThreads.For(g.N * g.C, (p0, p1) =>
        {
            var xs = x.Span; var ys = y.Span; var dys = dy.Span; var dxs = dx.Span;
            bool two = p == T.CreateChecked(2);
            for (int plane = p0; plane < p1; plane++)
            {
                int inBase = plane * g.H * g.W, o = plane * g.OutPixels;
                for (int oh = 0; oh < g.OutH; oh++)
                    for (int ow = 0; ow < g.OutW; ow++, o++)
                    {
                        var (h0, h1, w0, w1, c) = LpWindow<T>(g, oh, ow);
                        T scale = dys[o] * c * (two ? T.One / ys[o] : T.Pow(ys[o], T.One - p));
                        for (int ih = h0; ih < h1; ih++)
                            for (int iw = w0; iw < w1; iw++)
                            {
                                int i = inBase + ih * g.W + iw;
                                dxs[i] += scale * (two ? xs[i] : T.Pow(xs[i], p - T.One));
                            }
                    }
            }
        }, minPerWorker: 4);
    }

    private static (int H0, int H1, int W0, int W1, T C) LpWindow<T>(in ConvGeometry g, int oh, int ow) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h0 = oh * g.SH, w0 = ow * g.SW;
        int h1 = Math.Min(h0 + g.KH, g.H), w1 = Math.Min(w0 + g.KW, g.W);
        int clipped = (h1 - h0) * (w1 - w0), full = g.KH * g.KW;
        return (h0, h1, w0, w1, clipped == full ? T.One : T.CreateChecked(full) / T.CreateChecked(clipped));
    }

    /// <summary>Cross-channel max over groups of <paramref name="k"/> consecutive channels of [N, C, S] (S = spatial
    /// size): output [N, C/k, S]; argmax holds the flat input index within each image (channel·S + s).</summary>
    public static void ChannelMaxForward<T>(ReadOnlyMemory<T> x, Memory<T> y, int[] argmax, int n, int c, int spatial, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int groups = c / k;
        CpuThreads.For(n * groups, (r0, r1) =>
        {
            var xs = x.Span; var ys = y.Span;
            for (int r = r0; r < r1; r++)
            {
                int img = r / groups, grp = r % groups;
                int inImage = img * c * spatial, first = grp * k * spatial, o = r * spatial;
                for (int s = 0; s < spatial; s++)
                {
                    int bestIdx = first + s;
                    T best = xs[inImage + bestIdx];
                    for (int j = 1; j < k; j++)
                    {
                        int idx = first + j * spatial + s;
                        T v = xs[inImage + idx];
                        if (v > best || (T.IsNaN(v) && !T.IsNaN(best))) { best = v; bestIdx = idx; }
                    }
                    ys[o + s] = best;
                    argmax[o + s] = bestIdx;
                }
            }
        }, minPerWorker: 4);
    }

    /// <summary>Max unpooling: y[plane, indices[plane, i]] = x[plane, i] over planes of <paramref name="inPlane"/>
    /// inputs and <paramref name="outPlane"/> outputs (y zero elsewhere); backward is the matching gather.
    /// Indices were range-checked by the caller.</summary>
    public static void UnpoolForward<T>(ReadOnlyMemory<T> x, int[] indices, Memory<T> y, int planes, int inPlane, int outPlane)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuThreads.For(planes, (p0, p1) =>
        {
            var xs = x.Span; var ys = y.Span;
            for (int plane = p0; plane < p1; plane++)
                for (int i = plane * inPlane, end = i + inPlane; i < end; i++) ys[plane * outPlane + indices[i]] = xs[i];
        }, minPerWorker: 4);
    }

    public static void UnpoolBackward<T>(ReadOnlyMemory<T> dy, int[] indices, Memory<T> dx, int planes, int inPlane, int outPlane)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuThreads.For(planes, (p0, p1) =>
        {
            var dys = dy.Span; var dxs = dx.Span;
            for (int plane = p0; plane < p1; plane++)
                for (int i = plane * inPlane, end = i + inPlane; i < end; i++) dxs[i] = dys[plane * outPlane + indices[i]];
        }, minPerWorker: 4);
    }
}
