using System.Numerics;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>Max and average pooling over [N*C] volumes, split over the CPU workers: the 3-D counterpart of
/// <see cref="PoolKernels"/>, with the same rules (argmax recorded per output so overlapping windows add up in
/// backward; NaN wins a max window; PyTorch's divisors for count_include_pad and ceil mode).</summary>
internal static class Pool3dKernels
{
    public static void MaxForward<T>(ReadOnlyMemory<T> x, Memory<T> y, int[] argmax, Pool3dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuThreads.For(g.Planes, (p0, p1) =>
        {
            var xs = x.Span; var ys = y.Span;
            Size3 k = g.Kernel, s = g.Stride, pad = g.Padding, dil = g.Dilation;
            for (int plane = p0; plane < p1; plane++)
            {
                var src = xs.Slice(plane * g.InPlane, g.InPlane);
                int o = plane * g.OutPlane;
                for (int od = 0; od < g.OutD; od++)
                for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++, o++)
                {
                    T best = T.NegativeInfinity;
                    int bestIdx = -1;
                    for (int kd = 0; kd < k.D; kd++)
                    {
                        int id = od * s.D - pad.D + kd * dil.D;
                        if ((uint)id >= (uint)g.D) continue;
                        for (int kh = 0; kh < k.H; kh++)
                        {
                            int ih = oh * s.H - pad.H + kh * dil.H;
                            if ((uint)ih >= (uint)g.H) continue;
                            for (int kw = 0; kw < k.W; kw++)
                            {
                                int iw = ow * s.W - pad.W + kw * dil.W;
                                if ((uint)iw >= (uint)g.W) continue;
                                int idx = (id * g.H + ih) * g.W + iw;
                                T v = src[idx];
                                if (v > best || T.IsNaN(v) || bestIdx < 0) { best = v; bestIdx = idx; if (T.IsNaN(v)) goto done; }
                            }
                        }
                    }
                done:
                    ys[o] = best;
                    argmax[o] = bestIdx;
                }
            }
        }, minPerWorker: 2);
    }

    /// <summary>dx[argmax] += dy over planes of <paramref name="inPlane"/> inputs and <paramref name="outPlane"/> outputs
    /// (shared by every pooling that records a per-plane argmax).</summary>
    public static void ScatterArgmax<T>(ReadOnlyMemory<T> dy, int[] argmax, Memory<T> dx, int planes, int inPlane, int outPlane)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuThreads.For(planes, (p0, p1) =>
        {
            var dys = dy.Span; var dxs = dx.Span;
            for (int plane = p0; plane < p1; plane++)
                for (int o = plane * outPlane, end = o + outPlane; o < end; o++)
                {
                    int idx = argmax[o];
                    if (idx >= 0) dxs[plane * inPlane + idx] += dys[o];
                }
        }, minPerWorker: 4);
    }

    /// <summary>One window's clipped bounds along one dimension and its size for the divisor (PyTorch: with
    /// count_include_pad the window is clipped to the padded input, without it to the input).</summary>
    private static void Window(int o, int stride, int pad, int kernel, int size, out int lo, out int hi, out int padded)
    {
        int start = o * stride - pad, end = Math.Min(start + kernel, size + pad);
        padded = end - start;
        lo = Math.Max(start, 0);
        hi = Math.Min(end, size);
    }

    public static void AvgForward<T>(ReadOnlyMemory<T> x, Memory<T> y, Pool3dGeometry g, bool countIncludePad) where T : unmanaged, IFloatingPointIeee754<T>
        => AvgPass(x, y, g, countIncludePad, backward: false);

    public static void AvgBackward<T>(ReadOnlyMemory<T> dy, Memory<T> dx, Pool3dGeometry g, bool countIncludePad) where T : unmanaged, IFloatingPointIeee754<T>
        => AvgPass(dy, dx, g, countIncludePad, backward: true);

    /// <summary>Forward sums each window into its output; backward spreads each output's share over its window.
    /// One loop nest for both keeps the two divisors identical by construction.</summary>
    private static void AvgPass<T>(ReadOnlyMemory<T> from, Memory<T> to, Pool3dGeometry g, bool countIncludePad, bool backward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuThreads.For(g.Planes, (p0, p1) =>
        {
            var src = from.Span; var dst = to.Span;
            Size3 k = g.Kernel, s = g.Stride, pad = g.Padding;
            for (int plane = p0; plane < p1; plane++)
            {
                int inBase = plane * g.InPlane, o = plane * g.OutPlane;
                for (int od = 0; od < g.OutD; od++)
                {
                    Window(od, s.D, pad.D, k.D, g.D, out int d0, out int d1, out int pd);
                    for (int oh = 0; oh < g.OutH; oh++)
                    {
                        Window(oh, s.H, pad.H, k.H, g.H, out int h0, out int h1, out int ph);
                        for (int ow = 0; ow < g.OutW; ow++, o++)
                        {
                            Window(ow, s.W, pad.W, k.W, g.W, out int w0, out int w1, out int pw);
                            int div = countIncludePad ? pd * ph * pw : (d1 - d0) * (h1 - h0) * (w1 - w0);
                            if (div <= 0) { if (!backward) dst[o] = T.Zero; continue; }
                            if (backward)
                            {
                                T share = src[o] / T.CreateChecked(div);
                                for (int id = d0; id < d1; id++)
                                    for (int ih = h0; ih < h1; ih++)
                                        dst.Slice(inBase + (id * g.H + ih) * g.W + w0, w1 - w0).AddScalar(share);
                            }
                            else
                            {
                                T sum = T.Zero;
                                for (int id = d0; id < d1; id++)
                                    for (int ih = h0; ih < h1; ih++)
                                        foreach (T v in src.Slice(inBase + (id * g.H + ih) * g.W + w0, w1 - w0)) sum += v;
                                dst[o] = sum / T.CreateChecked(div);
                            }
                        }
                    }
                }
            }
        }, minPerWorker: 2);
    }

    private static void AddScalar<T>(this Span<T> span, T v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < span.Length; i++) span[i] += v;
    }
}
