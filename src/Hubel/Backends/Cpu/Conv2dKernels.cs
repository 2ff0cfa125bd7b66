using System.Numerics;
using System.Numerics.Tensors;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Convolution as im2col + GEMM. The batch is split over the CPU workers; each worker lowers a block of its
/// images side by side into one wide matrix, so one GEMM W[Cout, C·KH·KW] x col[C·KH·KW, images·OH·OW]
/// covers the block (small layers like LeNet's would otherwise drown in per-call overhead).
/// Backward: dX = col2im(Wᵀ dY) — the notes' "full convolution with the kernel rotated 180°", written as its
/// adjoint; dW = dY colᵀ summed over images (per-worker partial sums, then reduced); dB = Σ dY.
/// </summary>
internal static class Conv2dKernels
{
    /// <summary>Keeps one block's lowered matrix near 4 MB of float32 so it stays cache-friendly.</summary>
    private const long BlockElements = 1 << 20;

    private static int ImagesPerBlock(int k, int p) => (int)Math.Clamp(BlockElements / Math.Max(1L, (long)k * p), 1, 4096);

    public static void Forward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T>? b, Memory<T> y, ConvGeometry g, int groups, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cg = g.C / groups, og = outChannels / groups;
        int k = cg * g.KH * g.KW, p = g.OutPixels, hw = g.H * g.W;
        int workers = CpuThreads.WorkersFor(g.N);
        bool innerParallel = workers < CpuThreads.Count;
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
                        Im2Col.Lower<T>(x.Span.Slice(((b0 + i) * g.C + gi * cg) * hw, cg * hw), cg, g, col, wide, i * p);
                    Gemm.Run<T>(false, false, og, wide, k, w.Span.Slice(gi * og * k, og * k), k, col, wide, outBlock, wide, accumulate: false, parallel: innerParallel);
                    var ys = y.Span;
                    for (int i = 0; i < count; i++)
                        for (int o = 0; o < og; o++)
                        {
                            int channel = gi * og + o;
                            var src = outBlock.AsSpan(o * wide + i * p, p);
                            var dst = ys.Slice(((b0 + i) * outChannels + channel) * p, p);
                            if (b is { } bias) TensorPrimitives.Add<T>(src, bias.Span[channel], dst);
                            else src.CopyTo(dst);
                        }
                }
            }
        });
    }

    public static void Backward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T> dy, Memory<T>? dx, Memory<T>? dw, Memory<T>? db,
        ConvGeometry g, int groups, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cg = g.C / groups, og = outChannels / groups;
        int k = cg * g.KH * g.KW, p = g.OutPixels, hw = g.H * g.W;
        int workers = CpuThreads.WorkersFor(g.N);
        bool innerParallel = workers < CpuThreads.Count;
        int perBlock = ImagesPerBlock(k, p);
        var dwPartial = dw is null ? null : new T[workers][];
        CpuThreads.ForWorkers(g.N, workers, (worker, n0, n1) =>
        {
            T[]? dwLocal = dw is not null ? dwPartial![worker] = new T[outChannels * k] : null;
            for (int b0 = n0; b0 < n1; b0 += perBlock)
            {
                int count = Math.Min(perBlock, n1 - b0), wide = count * p;
                var col = Scratch<T>.Get(0, k * wide);
                var dyBlock = Scratch<T>.Get(1, og * wide);
                for (int gi = 0; gi < groups; gi++)
                {
                    // Gather this group's output gradient as [og, images·P] to match the lowered input.
                    var dys = dy.Span;
                    for (int i = 0; i < count; i++)
                        for (int o = 0; o < og; o++)
                            dys.Slice(((b0 + i) * outChannels + gi * og + o) * p, p).CopyTo(dyBlock.AsSpan(o * wide + i * p, p));
                    var wg = w.Span.Slice(gi * og * k, og * k);
                    if (dwLocal is not null)
                    {
                        for (int i = 0; i < count; i++)
                            Im2Col.Lower<T>(x.Span.Slice(((b0 + i) * g.C + gi * cg) * hw, cg * hw), cg, g, col, wide, i * p);
                        Gemm.Run<T>(false, true, og, k, wide, dyBlock, wide, col, wide, dwLocal.AsSpan(gi * og * k, og * k), k, accumulate: true, parallel: innerParallel);
                    }
                    if (dx is { } dxm)
                    {
                        Gemm.Run<T>(true, false, k, wide, og, wg, k, dyBlock, wide, col, wide, accumulate: false, parallel: innerParallel);
                        for (int i = 0; i < count; i++)
                            Im2Col.Accumulate<T>(col, cg, g, dxm.Span.Slice(((b0 + i) * g.C + gi * cg) * hw, cg * hw), wide, i * p);
                    }
                }
            }
        });
        if (dw is { } dwm)
        {
            var dws = dwm.Span;
            dws.Clear();
            foreach (var part in dwPartial!)
                if (part is not null) TensorPrimitives.Add<T>(dws, part, dws);
        }
        if (db is { } dbm)
        {
            var dbs = dbm.Span;
            dbs.Clear();
            for (int n = 0; n < g.N; n++)
                for (int o = 0; o < outChannels; o++)
                    dbs[o] += TensorPrimitives.Sum<T>(dy.Span.Slice((n * outChannels + o) * p, p));
        }
    }

    /// <summary>Per-thread work buffers reused across calls, so steady-state training does not allocate them.</summary>
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
