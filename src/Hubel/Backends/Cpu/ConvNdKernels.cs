using System.Numerics;
using System.Numerics.Tensors;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Convolution in 1, 2 and 3 dimensions and the transposed convolutions as im2col + GEMM, on a <see cref="ConvGeometry3"/>
/// (a 2-D geometry is D = 1 and lowers through the pointer loops of the 2-D <see cref="Im2Col"/>). The batch is split over
/// the CPU workers and each worker lowers a block of its images side by side, so one GEMM covers the block (small layers
/// like LeNet's would otherwise drown in per-call overhead; dY·colᵀ then takes the GEMM's dot-product path).
/// Convolution: y = W·col(x); dX = col2vol(Wᵀ dY); dW = dY colᵀ; dB = Σ dY.
/// Transposed convolution is the adjoint of that convolution with the same weight viewed as [Cin, Cout/groups·K]:
/// y = col2vol(Wᵀ x) (+ bias); dX = W·col(dY) (a convolution); dW = x·col(dY)ᵀ; dB = Σ dY.
/// </summary>
internal static class ConvNdKernels
{
    private const long BlockElements = 1 << 20;

    private static int ImagesPerBlock(long rows, long pixels) => (int)Math.Clamp(BlockElements / Math.Max(1L, rows * pixels), 1, 4096);

    /// <summary>Copies channels [c0, c0+count) of each image of the block into rows of a [count, images·P] matrix.</summary>
    private static void Gather<T>(ReadOnlySpan<T> src, int b0, int images, int channels, int c0, int count, int p, Span<T> dst, int wide)
    {
        for (int i = 0; i < images; i++)
            for (int c = 0; c < count; c++)
                src.Slice(((b0 + i) * channels + c0 + c) * p, p).CopyTo(dst.Slice(c * wide + i * p, p));
    }

    private static void AddBias<T>(Span<T> y, ReadOnlySpan<T> bias, int n, int channels, int p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < n; i++)
            for (int o = 0; o < channels; o++)
            {
                var dst = y.Slice((i * channels + o) * p, p);
                TensorPrimitives.Add<T>(dst, bias[o], dst);
            }
    }

    /// <summary>db (overwritten) = Σ over images and pixels of dy, channel by channel.</summary>
    internal static void BiasGrad<T>(ReadOnlySpan<T> dy, Span<T> db, int n, int channels, int p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        db.Clear();
        for (int i = 0; i < n; i++)
            for (int o = 0; o < channels; o++)
                db[o] += TensorPrimitives.Sum<T>(dy.Slice((i * channels + o) * p, p));
    }

    private static void ReducePartials<T>(Span<T> dw, T[]?[] partials) where T : unmanaged, IFloatingPointIeee754<T>
    {
        dw.Clear();
        foreach (var part in partials)
            if (part is not null) TensorPrimitives.Add<T>(dw, part, dw);
    }

    /// <summary>y [N, Cout, OD, OH, OW] = conv(x [N, C, D, H, W], w [Cout, C/groups, KD, KH, KW]) + b.</summary>
    public static void Forward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T>? b, Memory<T> y, ConvGeometry3 g, int groups, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cg = g.C / groups, og = outChannels / groups, k = cg * g.KernelSize, p = g.OutPixels, vol = g.InPixels;
        int workers = CpuThreads.WorkersFor(g.N);
        bool inner = workers < CpuThreads.Count;
        int perBlock = ImagesPerBlock(k, p);
        CpuThreads.ForWorkers(g.N, workers, (_, n0, n1) =>
        {
            for (int b0 = n0; b0 < n1; b0 += perBlock)
            {
                int count = Math.Min(perBlock, n1 - b0), wide = count * p;
                var col = Scratch<T>.Get(0, k * wide);
                var outBlock = Scratch<T>.Get(1, og * wide);
                for (int gi = 0; gi < groups; gi++)
                {
                    for (int i = 0; i < count; i++)
                        Im2Col3d.Lower<T>(x.Span.Slice(((b0 + i) * g.C + gi * cg) * vol, cg * vol), cg, g, col, wide, i * p);
                    Gemm.Run<T>(false, false, og, wide, k, w.Span.Slice(gi * og * k, og * k), k, col, wide, outBlock, wide, accumulate: false, parallel: inner);
                    var ys = y.Span;
                    for (int i = 0; i < count; i++)
                        for (int o = 0; o < og; o++)
                        {
                            int channel = gi * og + o;
                            var src = outBlock.AsSpan(o * wide + i * p, p);
                            var dst = ys.Slice(((b0 + i) * outChannels + channel) * p, p);
                            if (b is { } bias) TensorPrimitives.Add<T>(src, bias.Span[channel], dst);   // bias fused into the scatter
                            else src.CopyTo(dst);
                        }
                }
            }
        });
    }

    public static void Backward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T> dy, Memory<T>? dx, Memory<T>? dw, Memory<T>? db,
        ConvGeometry3 g, int groups, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cg = g.C / groups, og = outChannels / groups, k = cg * g.KernelSize, p = g.OutPixels, vol = g.InPixels;
        int workers = CpuThreads.WorkersFor(g.N);
        bool inner = workers < CpuThreads.Count;
        int perBlock = ImagesPerBlock(k, p);
        var partials = PartialSums.Allocate<T>(dw is not null, workers, outChannels * k);
        CpuThreads.ForWorkers(g.N, workers, (worker, n0, n1) =>
        {
            T[]? dwLocal = dw is not null ? partials![worker] : null;
            for (int b0 = n0; b0 < n1; b0 += perBlock)
            {
                int count = Math.Min(perBlock, n1 - b0), wide = count * p;
                var col = Scratch<T>.Get(0, k * wide);
                var dyBlock = Scratch<T>.Get(1, og * wide);
                for (int gi = 0; gi < groups; gi++)
                {
                    Gather(dy.Span, b0, count, outChannels, gi * og, og, p, dyBlock, wide);
                    if (dwLocal is not null)
                    {
                        for (int i = 0; i < count; i++)
                            Im2Col3d.Lower<T>(x.Span.Slice(((b0 + i) * g.C + gi * cg) * vol, cg * vol), cg, g, col, wide, i * p);
                        Gemm.Run<T>(false, true, og, k, wide, dyBlock, wide, col, wide, dwLocal.AsSpan(gi * og * k, og * k), k, accumulate: true, parallel: inner);
                    }
                    if (dx is { } dxm)
                    {
                        Gemm.Run<T>(true, false, k, wide, og, w.Span.Slice(gi * og * k, og * k), k, dyBlock, wide, col, wide, accumulate: false, parallel: inner);
                        for (int i = 0; i < count; i++)
                            Im2Col3d.Accumulate<T>(col, cg, g, dxm.Span.Slice(((b0 + i) * g.C + gi * cg) * vol, cg * vol), wide, i * p);
                    }
                }
            }
        });
        if (dw is { } dwm) ReducePartials(dwm.Span, partials!);
        if (db is { } dbm) BiasGrad(dy.Span, dbm.Span, g.N, outChannels, p);
    }

    /// <summary>Transposed convolution. x [N, Cin, OD, OH, OW] (the adjoint convolution's output), weight
    /// [Cin, Cout/groups, KD, KH, KW]; y [N, Cout, D, H, W] (the convolution's input; <paramref name="g"/>.C = Cout)
    /// must be zeroed: col2vol adds into it.</summary>
    public static void TransposedForward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T>? b, Memory<T> y, ConvGeometry3 g, int groups, int inChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cg = inChannels / groups, og = g.C / groups, k = og * g.KernelSize, p = g.OutPixels, vol = g.InPixels;
        int workers = CpuThreads.WorkersFor(g.N);
        bool inner = workers < CpuThreads.Count;
        int perBlock = ImagesPerBlock(k, p);
        CpuThreads.ForWorkers(g.N, workers, (_, n0, n1) =>
        {
            for (int b0 = n0; b0 < n1; b0 += perBlock)
            {
                int count = Math.Min(perBlock, n1 - b0), wide = count * p;
                var col = Scratch<T>.Get(0, k * wide);
                var xBlock = Scratch<T>.Get(1, cg * wide);
                for (int gi = 0; gi < groups; gi++)
                {
                    Gather(x.Span, b0, count, inChannels, gi * cg, cg, p, xBlock, wide);
                    Gemm.Run<T>(true, false, k, wide, cg, w.Span.Slice(gi * cg * k, cg * k), k, xBlock, wide, col, wide, accumulate: false, parallel: inner);
                    for (int i = 0; i < count; i++)
                        Im2Col3d.Accumulate<T>(col, og, g, y.Span.Slice(((b0 + i) * g.C + gi * og) * vol, og * vol), wide, i * p);
                }
            }
        });
        if (b is { } bias) AddBias(y.Span, bias.Span, g.N, g.C, vol);
    }

    public static void TransposedBackward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T> dy, Memory<T>? dx, Memory<T>? dw, Memory<T>? db,
        ConvGeometry3 g, int groups, int inChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cg = inChannels / groups, og = g.C / groups, k = og * g.KernelSize, p = g.OutPixels, vol = g.InPixels;
        int workers = CpuThreads.WorkersFor(g.N);
        bool inner = workers < CpuThreads.Count;
        int perBlock = ImagesPerBlock(k, p);
        var partials = PartialSums.Allocate<T>(dw is not null, workers, inChannels * k);
        CpuThreads.ForWorkers(g.N, workers, (worker, n0, n1) =>
        {
            T[]? dwLocal = dw is not null ? partials![worker] : null;
            for (int b0 = n0; b0 < n1; b0 += perBlock)
            {
                int count = Math.Min(perBlock, n1 - b0), wide = count * p;
                var col = Scratch<T>.Get(0, k * wide);
                var block = Scratch<T>.Get(1, cg * wide);
                for (int gi = 0; gi < groups; gi++)
                {
                    // col(dY) is shared by both gradients.
                    for (int i = 0; i < count; i++)
                        Im2Col3d.Lower<T>(dy.Span.Slice(((b0 + i) * g.C + gi * og) * vol, og * vol), og, g, col, wide, i * p);
                    var wg = w.Span.Slice(gi * cg * k, cg * k);
                    if (dwLocal is not null)
                    {
                        Gather(x.Span, b0, count, inChannels, gi * cg, cg, p, block, wide);
                        Gemm.Run<T>(false, true, cg, k, wide, block, wide, col, wide, dwLocal.AsSpan(gi * cg * k, cg * k), k, accumulate: true, parallel: inner);
                    }
                    if (dx is { } dxm)
                    {
                        Gemm.Run<T>(false, false, cg, wide, k, wg, k, col, wide, block, wide, accumulate: false, parallel: inner);
                        var dxs = dxm.Span;
                        for (int i = 0; i < count; i++)
                            for (int c = 0; c < cg; c++)
                                block.AsSpan(c * wide + i * p, p).CopyTo(dxs.Slice(((b0 + i) * inChannels + gi * cg + c) * p, p));
                    }
                }
            }
        });
        if (dw is { } dwm) ReducePartials(dwm.Span, partials!);
        if (db is { } dbm) BiasGrad(dy.Span, dbm.Span, g.N, g.C, vol);
    }

    /// <summary>Per-thread work buffers reused across calls.</summary>
    private static class Scratch<T>
    {
        [ThreadStatic] private static T[]?[]? _buffers;

        public static T[] Get(int slot, int size)
        {
            var buffers = _buffers ??= new T[]?[2];
            var buffer = buffers[slot];
            if (buffer is null || buffer.Length < size) buffers[slot] = buffer = new T[Math.Max(size, (buffer?.Length ?? 0) * 5 / 4)];
            return buffer;
        }
    }
}
