using System.Numerics;

namespace Hubel.Backends.Cpu;

/// <summary>The option-A residual shortcut as one gather (and its scatter): every stride-th pixel of each input plane
/// into an output with extra all-zero channels before and after. Workers split the output (or input) planes.</summary>
internal static class SubsampleKernels
{
    /// <summary>y[b, before + ch, i, j] = x[b, ch, i·stride, j·stride]; the padding channels are zero.</summary>
    public static void Forward<T>(ReadOnlyMemory<T> x, Memory<T> y, int n, int c, int h, int w, int stride, int before, int after)
        where T : unmanaged, INumberBase<T>
    {
        int ho = (h + stride - 1) / stride, wo = (w + stride - 1) / stride, co = c + before + after;
        CpuThreads.For(n * co, (p0, p1) =>
        {
            var xs = x.Span; var ys = y.Span;
            for (int p = p0; p < p1; p++)
            {
                int b = p / co, ch = p % co - before;
                var plane = ys.Slice(p * ho * wo, ho * wo);
                if (ch < 0 || ch >= c) { plane.Clear(); continue; }
                var src = xs.Slice((b * c + ch) * h * w, h * w);
                for (int i = 0; i < ho; i++)
                {
                    var row = src.Slice(i * stride * w, w);
                    var dst = plane.Slice(i * wo, wo);
                    for (int j = 0; j < wo; j++) dst[j] = row[j * stride];
                }
            }
        }, minPerWorker: 64);
    }

    /// <summary>dx[b, ch, i·stride, j·stride] = dy[b, before + ch, i, j], zero elsewhere (the padding channels' gradient is dropped).</summary>
    public static void Backward<T>(ReadOnlyMemory<T> dy, Memory<T> dx, int n, int c, int h, int w, int stride, int before, int after)
        where T : unmanaged, INumberBase<T>
    {
        int ho = (h + stride - 1) / stride, wo = (w + stride - 1) / stride, co = c + before + after;
        CpuThreads.For(n * c, (p0, p1) =>
        {
            var gs = dy.Span; var dxs = dx.Span;
            for (int p = p0; p < p1; p++)
            {
                int b = p / c, ch = p % c;
                var plane = dxs.Slice(p * h * w, h * w);
                if (stride > 1) plane.Clear();
                var src = gs.Slice((b * co + before + ch) * ho * wo, ho * wo);
                for (int i = 0; i < ho; i++)
                {
                    var row = plane.Slice(i * stride * w, w);
                    var g = src.Slice(i * wo, wo);
                    for (int j = 0; j < wo; j++) row[j * stride] = g[j];
                }
            }
        }, minPerWorker: 64);
    }
}
