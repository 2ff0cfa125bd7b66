using System.Numerics;
using System.Numerics.Tensors;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// 1x1 convolution at stride 1 without padding (groups = 1) as plain GEMMs on the image planes: an image [C, H·W] is
/// already the im2col matrix, so nothing is lowered or scattered. y[n] = W[Cout, C]·x[n] (+ b); dX[n] = Wᵀ·dY[n];
/// dW = Σₙ dY[n]·x[n]ᵀ (per-worker partial sums, reduced at the end); dB = Σ dY.
/// </summary>
internal static class PointwiseConvKernels
{
    public static bool Applies(in ConvGeometry g, int groups) =>
        groups == 1 && g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PadTop == 0 && g.PadLeft == 0 && g.OutH == g.H && g.OutW == g.W;

    public static void Forward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T>? b, Memory<T> y, ConvGeometry g, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.C, p = g.OutPixels, workers = CpuThreads.WorkersFor(g.N);
        bool inner = workers < CpuThreads.Count;
        CpuThreads.ForWorkers(g.N, workers, (_, n0, n1) =>
        {
            for (int n = n0; n < n1; n++)
            {
                var yn = y.Span.Slice(n * outChannels * p, outChannels * p);
                Gemm.Run<T>(false, false, outChannels, p, c, w.Span, c, x.Span.Slice(n * c * p, c * p), p, yn, p, accumulate: false, parallel: inner);
                if (b is { } bias)
                    for (int o = 0; o < outChannels; o++) TensorPrimitives.Add<T>(yn.Slice(o * p, p), bias.Span[o], yn.Slice(o * p, p));
            }
        });
    }

    public static void Backward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T> dy, Memory<T>? dx, Memory<T>? dw, Memory<T>? db,
        ConvGeometry g, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = g.C, p = g.OutPixels, workers = CpuThreads.WorkersFor(g.N);
        bool inner = workers < CpuThreads.Count;
        var partials = PartialSums.Allocate<T>(dw is not null, workers, outChannels * c);
        CpuThreads.ForWorkers(g.N, workers, (worker, n0, n1) =>
        {
            T[]? local = dw is null ? null : partials![worker];
            for (int n = n0; n < n1; n++)
            {
                var dyn = dy.Span.Slice(n * outChannels * p, outChannels * p);
                if (local is not null)
                    Gemm.Run<T>(false, true, outChannels, c, p, dyn, p, x.Span.Slice(n * c * p, c * p), p, local, c, accumulate: true, parallel: inner);
                if (dx is { } dxm)
                    Gemm.Run<T>(true, false, c, p, outChannels, w.Span, c, dyn, p, dxm.Span.Slice(n * c * p, c * p), p, accumulate: false, parallel: inner);
            }
        });
        if (dw is { } dwm)
        {
            var d = dwm.Span;
            d.Clear();
            foreach (var part in partials!) if (part is not null) TensorPrimitives.Add<T>(d, part, d);
        }
        if (db is { } dbm)
        {
            var d = dbm.Span;
            d.Clear();
            for (int n = 0; n < g.N; n++)
                for (int o = 0; o < outChannels; o++) d[o] += TensorPrimitives.Sum<T>(dy.Span.Slice((n * outChannels + o) * p, p));
        }
    }
}
