using System.Buffers;
using System.Numerics;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Convolution as im2col + GEMM, batch split over the CPU workers (each lowers its own images into
/// a pooled buffer). Backward: dX = col2im(Wᵀ dY) — the notes' "full convolution with the kernel rotated
/// 180°", written as its adjoint; dW = dY colᵀ summed over images (per-worker partial sums, then reduced);
/// dB = sum of dY over batch and pixels.
/// </summary>
internal static class Conv2dKernels
{
    public static void Forward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T>? b, Memory<T> y, ConvGeometry g, int groups, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cg = g.C / groups, og = outChannels / groups;
        int k = cg * g.KH * g.KW, p = g.OutPixels;
        bool pointwise = IsPointwise(g);
        int workers = CpuThreads.WorkersFor(g.N);
        bool innerParallel = workers < CpuThreads.Count;
        CpuThreads.ForWorkers(g.N, workers, (_, n0, n1) =>
        {
            var col = pointwise ? null : ArrayPool<T>.Shared.Rent(k * p);
            try
            {
                for (int n = n0; n < n1; n++)
                for (int gi = 0; gi < groups; gi++)
                {
                    var xin = x.Span.Slice((n * g.C + gi * cg) * g.H * g.W, cg * g.H * g.W);
                    ReadOnlySpan<T> colSpan = pointwise ? xin : col;
                    if (!pointwise) Im2Col.Lower<T>(xin, cg, g, col);
                    var yout = y.Span.Slice((n * outChannels + gi * og) * p, og * p);
                    Gemm.Run<T>(false, false, og, p, k, w.Span.Slice(gi * og * k, og * k), k, colSpan, p, yout, p, accumulate: false, parallel: innerParallel);
                    if (b is { } bias)
                        for (int o = 0; o < og; o++)
                            System.Numerics.Tensors.TensorPrimitives.Add<T>(yout.Slice(o * p, p), bias.Span[gi * og + o], yout.Slice(o * p, p));
                }
            }
            finally { if (col is not null) ArrayPool<T>.Shared.Return(col); }
        });
    }

    public static void Backward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T> dy, Memory<T>? dx, Memory<T>? dw, Memory<T>? db,
        ConvGeometry g, int groups, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cg = g.C / groups, og = outChannels / groups;
        int k = cg * g.KH * g.KW, p = g.OutPixels;
        bool pointwise = IsPointwise(g);
        int workers = CpuThreads.WorkersFor(g.N);
        bool innerParallel = workers < CpuThreads.Count;
        var dwPartial = dw is null ? null : new T[workers][];
        CpuThreads.ForWorkers(g.N, workers, (worker, n0, n1) =>
        {
            var col = ArrayPool<T>.Shared.Rent(k * p);
            T[]? dwLocal = dw is not null ? dwPartial![worker] = new T[outChannels * k] : null;
            try
            {
                for (int n = n0; n < n1; n++)
                for (int gi = 0; gi < groups; gi++)
                {
                    var dyg = dy.Span.Slice((n * outChannels + gi * og) * p, og * p);
                    var wg = w.Span.Slice(gi * og * k, og * k);
                    int xOff = (n * g.C + gi * cg) * g.H * g.W, xLen = cg * g.H * g.W;
                    if (dx is { } dxm)
                    {
                        if (pointwise)
                            Gemm.Run<T>(true, false, k, p, og, wg, k, dyg, p, dxm.Span.Slice(xOff, xLen), p, accumulate: false, parallel: innerParallel);
                        else
                        {
                            Gemm.Run<T>(true, false, k, p, og, wg, k, dyg, p, col, p, accumulate: false, parallel: innerParallel);
                            Im2Col.Accumulate<T>(col.AsSpan(0, k * p), cg, g, dxm.Span.Slice(xOff, xLen));
                        }
                    }
                    if (dwLocal is not null)
                    {
                        ReadOnlySpan<T> colSpan = pointwise ? x.Span.Slice(xOff, xLen) : col;
                        if (!pointwise) Im2Col.Lower<T>(x.Span.Slice(xOff, xLen), cg, g, col);
                        Gemm.Run<T>(false, true, og, k, p, dyg, p, colSpan, p, dwLocal.AsSpan(gi * og * k, og * k), k, accumulate: true, parallel: innerParallel);
                    }
                }
            }
            finally { ArrayPool<T>.Shared.Return(col); }
        });
        if (dw is { } dwm)
        {
            var dws = dwm.Span;
            dws.Clear();
            foreach (var part in dwPartial!)
                if (part is not null) System.Numerics.Tensors.TensorPrimitives.Add<T>(dws, part, dws);
        }
        if (db is { } dbm)
        {
            var dbs = dbm.Span;
            dbs.Clear();
            for (int n = 0; n < g.N; n++)
                for (int o = 0; o < outChannels; o++)
                    dbs[o] += System.Numerics.Tensors.TensorPrimitives.Sum<T>(dy.Span.Slice((n * outChannels + o) * p, p));
        }
    }

    private static bool IsPointwise(in ConvGeometry g) =>
        g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PadTop == 0 && g.PadLeft == 0 && g.OutH == g.H && g.OutW == g.W;
}
