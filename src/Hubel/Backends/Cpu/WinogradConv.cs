using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// 3x3 convolution at stride 1 and dilation 1 (any padding, any groups) by Winograd's F(2x2, 3x3): 2x2 output tiles over
/// 4x4 input tiles, 16 GEMMs [Cout, C]·[C, tiles] per block of tile rows instead of one [Cout, 9C]·[9C, pixels], 2.25x fewer
/// multiplies (transforms in <see cref="WinogradTransforms"/>). A block is a run of tile rows across the whole batch, sized
/// so the transformed tiles stay in cache (large images split, small images batch together); the batch's tile rows are
/// split over the workers.
/// Backward: the input gradient is itself a 3x3 stride-1 correlation of dY with the 180°-rotated, channel-transposed
/// kernel and padding 2 - pad, so it runs the same forward; the weight gradient is the adjoint of the forward,
/// dU[ξ] = Σ_tiles dM[ξ]·V[ξ]ᵀ with dM = A dY Aᵀ, then dW = Gᵀ dU G.
/// </summary>
internal static class WinogradConv
{
    /// <summary>Elements of one block's transformed tiles (16 points x channels x tiles): about 1 MB of float32, so a point's
    /// [C, tiles] matrix is read back by its GEMM from cache. Measured on the 2-core AVX2 machine (one thread, CPU time,
    /// forward; forward+backward): 2^18 beat 2^16 and 2^20 at C = 16 and 64 (N16 C64 56x56: 75; 268 ms against 113; 289 and
    /// 96; 275); C = 256 on 14x14 wanted larger blocks (23; 91 ms at 2^20 against 29; 111), hence <see cref="MinTiles"/>.</summary>
    private const long BlockBudget = 1 << 18;

    /// <summary>At least this many tiles per GEMM, so many channels do not shrink the GEMMs to slivers.</summary>
    private const int MinTiles = 256;

    /// <summary>One correlation: input [N, C, H, W] read through padding (top, left; negative crops), output [N, K, OH, OW].</summary>
    private readonly record struct Plan(int N, int C, int H, int W, int PadTop, int PadLeft, int K, int OH, int OW, int Groups)
    {
        public int TH => (OH + 1) / 2;
        public int TW => (OW + 1) / 2;
        public int Width => 2 * TW + 18;   // strip width, with the vector kernels' slack
        public int Cg => C / Groups;
        public int Kg => K / Groups;

        public int RowsPerBlock => (int)Math.Clamp(Math.Max(BlockBudget / (16L * Math.Max(Cg, Kg) * TW), (MinTiles + TW - 1) / TW), 1, 4096);

        /// <summary>The weight gradient's GEMMs dM·Vᵀ sum over tiles: at least 8·max(C, Cout) tiles per block (at most 2^23
        /// transformed values) lets them take the GEMM's dot-product path along the tiles. One thread, N8 C64 56x56:
        /// dW + dB 73-79 ms against 110-131 with the forward's blocks (16·max: 70-96).</summary>
        public int GradRowsPerBlock
        {
            get
            {
                long wide = Math.Min(8L * Math.Max(Cg, Kg), (1L << 23) / (16L * Math.Max(Cg, Kg)));
                return (int)Math.Clamp(Math.Max(RowsPerBlock, (wide + TW - 1) / TW), 1, 4096);
            }
        }
    }

    public static bool Applies(in ConvGeometry g, int groups, int outChannels) =>
        g.KH == 3 && g.KW == 3 && g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1
        // One tile row of transformed tiles (forward, and the input gradient's correlation over H x W) must stay addressable.
        && 16L * Math.Max(g.C, outChannels) / groups * ((Math.Max(g.OutW, g.W) + 1) / 2 + MinTiles + 8) < 1 << 28;

    /// <summary>Where the heuristic picks it: groups 1, 16-128 channels in and out, outputs at least 4x4. Measured against
    /// im2col + GEMM (float32, 2-core AVX2, loaded machine, best of 3-5, forward; forward+backward in ms):
    /// N128 C16 32x32 K16 49; 151 against 94; 302. N128 C64 8x8 30; 95 against 39; 118. N32 C64 56x56 250; 962 against
    /// 545; 1546. N128 C64 4x4 12; 51 against 26; 118. N8 C128 8x8 11; 30 against 19; 53. N32 C32 16x16 23; 60 against
    /// 30; 63. It loses with few channels (the transforms outweigh GEMMs only C deep): N128 C3 32x32 K16 67; 242 against
    /// 67; 162, N16 C8 28x28 8; 20 against 1; 12; and at C = K = 256 on 14x14 the backward lost (91 against 67 ms CPU).</summary>
    public static bool Preferred(in ConvGeometry g, int groups, int outChannels) =>
        groups == 1 && g.C is >= 16 and <= 128 && outChannels is >= 16 and <= 128 && g.OutH >= 4 && g.OutW >= 4 && Applies(g, groups, outChannels);

    private static Plan ForwardPlan(in ConvGeometry g, int groups, int outChannels) =>
        new(g.N, g.C, g.H, g.W, g.PadTop, g.PadLeft, outChannels, g.OutH, g.OutW, groups);

    public static void Forward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T>? b, Memory<T> y, ConvGeometry g, int groups, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plan = ForwardPlan(g, groups, outChannels);
        var u = FilterTransform(w.Span, plan.Kg, plan.Cg, groups, flipTranspose: false);
        try { Correlate(x, u, b, y, plan, accumulate: false); }
        finally { ArrayPool<T>.Shared.Return(u); }
    }

    public static void Backward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T> dy, Memory<T>? dx, Memory<T>? dw, Memory<T>? db,
        ConvGeometry g, int groups, int outChannels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plan = ForwardPlan(g, groups, outChannels);
        if (dx is { } dxm)
        {
            // dX[h] = Σ_i dY[h - (2 - padTop) + i] · w[2 - i]: the same correlation over dY with the flipped kernel.
            var adjoint = new Plan(g.N, outChannels, g.OutH, g.OutW, 2 - g.PadTop, 2 - g.PadLeft, g.C, g.H, g.W, groups);
            var u = FilterTransform(w.Span, plan.Kg, plan.Cg, groups, flipTranspose: true);
            try { Correlate(dy, u, null, dxm, adjoint, accumulate: true); }
            finally { ArrayPool<T>.Shared.Return(u); }
        }
        if (dw is { } dwm) WeightGradient(x, dy, dwm, plan);
        if (db is { } dbm)
        {
            var d = dbm.Span;
            d.Clear();
            int p = g.OutPixels;
            for (int n = 0; n < g.N; n++)
                for (int o = 0; o < outChannels; o++) d[o] += TensorPrimitives.Sum<T>(dy.Span.Slice((n * outChannels + o) * p, p));
        }
    }

    /// <summary>Per group, [16][rows][cols] transformed kernels: rows = Cout/groups (or C/groups when flipped). Rented from
    /// <see cref="ArrayPool{T}.Shared"/>: the caller returns it.</summary>
    private static T[] FilterTransform<T>(ReadOnlySpan<T> w, int kg, int cg, int groups, bool flipTranspose) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int per = 16 * kg * cg;
        var u = ArrayPool<T>.Shared.Rent(groups * per);
        for (int gi = 0; gi < groups; gi++)
            WinogradTransforms.Filter(w.Slice(gi * kg * cg * 9, kg * cg * 9), kg, cg, flipTranspose, u.AsSpan(gi * per, per));
        return u;
    }

    private static void Correlate<T>(ReadOnlyMemory<T> x, T[] u, ReadOnlyMemory<T>? b, Memory<T> y, Plan p, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = p.N * p.TH, perBlock = p.RowsPerBlock, cg = p.Cg, kg = p.Kg;
        int workers = CpuThreads.WorkersFor(rows);
        bool inner = workers < CpuThreads.Count;
        CpuThreads.ForWorkers(rows, workers, (_, r0, r1) =>
        {
            int maxLd = Math.Min(perBlock, r1 - r0) * p.TW + 8;
            var v = ArrayPool<T>.Shared.Rent(16 * cg * maxLd);
            var m = ArrayPool<T>.Shared.Rent(16 * kg * maxLd);
            var strip = ArrayPool<T>.Shared.Rent(4 * p.Width);
            try
            {
                for (int b0 = r0; b0 < r1; b0 += perBlock)
                {
                    int b1 = Math.Min(r1, b0 + perBlock), wide = (b1 - b0) * p.TW, ld = wide + 8;
                    for (int gi = 0; gi < p.Groups; gi++)
                    {
                        TransformInput(x.Span, p, gi * cg, b0, b1, v, ld, strip);
                        for (int xi = 0; xi < 16; xi++)
                            Gemm.Run<T>(false, false, kg, wide, cg, u.AsSpan((gi * 16 + xi) * kg * cg, kg * cg), cg,
                                v.AsSpan(xi * cg * ld, cg * ld), ld, m.AsSpan(xi * kg * ld, kg * ld), ld, accumulate: false, parallel: inner);
                        TransformOutput(m, p, gi * kg, b0, b1, ld, b, y.Span, accumulate, strip);
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(v);
                ArrayPool<T>.Shared.Return(m);
                ArrayPool<T>.Shared.Return(strip);
            }
        });
    }

    /// <summary>V[ξ][c][tile] for channels [c0, c0 + Cg) of the tile rows [b0, b1) (tile row r = image r / TH, row r % TH).</summary>
    private static void TransformInput<T>(ReadOnlySpan<T> x, Plan p, int c0, int b0, int b1, T[] v, int ld, T[] strip)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hw = p.H * p.W, cg = p.Cg, width = p.Width;
        for (int r = b0; r < b1; r++)
        {
            int n = r / p.TH, ty = r % p.TH, tile0 = (r - b0) * p.TW;
            for (int c = 0; c < cg; c++)
            {
                WinogradTransforms.Strip(x.Slice((n * p.C + c0 + c) * hw, hw), p.H, p.W, 2 * ty - p.PadTop, 4, p.PadLeft, strip, width);
                WinogradTiles.Input<T>(strip, width, p.TW, v.AsSpan(c * ld), tile0, cg * ld);
            }
        }
    }

    /// <summary>y (channels [o0, o0 + Kg)) = Aᵀ M A (+ bias, or + y when accumulating), clipped to OH x OW.</summary>
    private static void TransformOutput<T>(T[] m, Plan p, int o0, int b0, int b1, int ld, ReadOnlyMemory<T>? b, Span<T> y, bool accumulate, T[] strip)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ohw = p.OH * p.OW, kg = p.Kg, width = p.Width;
        for (int r = b0; r < b1; r++)
        {
            int n = r / p.TH, ty = r % p.TH, tile0 = (r - b0) * p.TW, rows = Math.Min(2, p.OH - 2 * ty);
            for (int o = 0; o < kg; o++)
            {
                WinogradTiles.Output<T>(m.AsSpan(o * ld), tile0, kg * ld, p.TW, strip, width);
                int channel = o0 + o;
                for (int a = 0; a < rows; a++)
                {
                    var src = strip.AsSpan(a * width, p.OW);
                    var dst = y.Slice((n * p.K + channel) * ohw + (2 * ty + a) * p.OW, p.OW);
                    if (accumulate) TensorPrimitives.Add<T>(dst, src, dst);
                    if (b is { } bias) TensorPrimitives.Add<T>(accumulate ? dst : src, bias.Span[channel], dst);
                    else if (!accumulate) src.CopyTo(dst);
                }
            }
        }
    }

    /// <summary>dW = Gᵀ (Σ_blocks dM[ξ]·V[ξ]ᵀ) G, per-worker partial sums of dU reduced in worker order.</summary>
    private static void WeightGradient<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> dy, Memory<T> dw, Plan p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = p.N * p.TH, perBlock = p.GradRowsPerBlock, cg = p.Cg, kg = p.Kg, per = 16 * kg * cg;
        if (rows == 0) { dw.Span.Clear(); return; }   // an empty batch: no tiles, zero gradient
        int workers = CpuThreads.WorkersFor(rows);
        bool inner = workers < CpuThreads.Count;
        var partials = new T[workers][];
        CpuThreads.ForWorkers(rows, workers, (worker, r0, r1) =>
        {
            var du = partials[worker] = ArrayPool<T>.Shared.Rent(p.Groups * per);
            du.AsSpan(0, p.Groups * per).Clear();
            int maxLd = Math.Min(perBlock, r1 - r0) * p.TW + 8;
            var v = ArrayPool<T>.Shared.Rent(16 * cg * maxLd);
            var dm = ArrayPool<T>.Shared.Rent(16 * kg * maxLd);
            var strip = ArrayPool<T>.Shared.Rent(4 * p.Width);
            try
            {
                for (int b0 = r0; b0 < r1; b0 += perBlock)
                {
                    int b1 = Math.Min(r1, b0 + perBlock), wide = (b1 - b0) * p.TW, ld = wide + 8;
                    for (int gi = 0; gi < p.Groups; gi++)
                    {
                        TransformInput(x.Span, p, gi * cg, b0, b1, v, ld, strip);
                        TransformGradient(dy.Span, p, gi * kg, b0, b1, dm, ld, strip);
                        for (int xi = 0; xi < 16; xi++)
                            Gemm.Run<T>(false, true, kg, cg, wide, dm.AsSpan(xi * kg * ld, kg * ld), ld, v.AsSpan(xi * cg * ld, cg * ld), ld,
                                du.AsSpan(gi * per + xi * kg * cg, kg * cg), cg, accumulate: true, parallel: inner);
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(v);
                ArrayPool<T>.Shared.Return(dm);
                ArrayPool<T>.Shared.Return(strip);
            }
        });
        // Partial sums reduced into the first worker's (worker 0 always runs: ForWorkers gives it the first range).
        var total = partials[0].AsSpan(0, p.Groups * per);
        for (int i = 1; i < partials.Length; i++)
            if (partials[i] is { } part) TensorPrimitives.Add<T>(total, part.AsSpan(0, total.Length), total);
        for (int gi = 0; gi < p.Groups; gi++)
            WinogradTransforms.FilterGradient<T>(total.Slice(gi * per, per), kg, cg, dw.Span.Slice(gi * kg * cg * 9, kg * cg * 9));
        foreach (var part in partials) if (part is not null) ArrayPool<T>.Shared.Return(part);
    }

    /// <summary>dM[ξ][o][tile] = (A dY Aᵀ)[ξ] for output channels [o0, o0 + Kg); tiles past OH x OW read zeros.</summary>
    private static void TransformGradient<T>(ReadOnlySpan<T> dy, Plan p, int o0, int b0, int b1, T[] dm, int ld, T[] strip)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ohw = p.OH * p.OW, kg = p.Kg, width = p.Width;
        for (int r = b0; r < b1; r++)
        {
            int n = r / p.TH, ty = r % p.TH, tile0 = (r - b0) * p.TW;
            for (int o = 0; o < kg; o++)
            {
                WinogradTransforms.Strip(dy.Slice((n * p.K + o0 + o) * ohw, ohw), p.OH, p.OW, 2 * ty, 2, 0, strip, width);
                WinogradTiles.OutputAdjoint<T>(strip, width, p.TW, dm.AsSpan(o * ld), tile0, kg * ld);
            }
        }
    }
}
