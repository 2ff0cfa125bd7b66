using System.Numerics;
using System.Numerics.Tensors;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// 3x3 convolution at stride 1 and dilation 1 (any padding, any groups) by Winograd's F(2x2, 3x3): 2x2 output tiles over
/// 4x4 input tiles, 16 GEMMs [Cout, C]·[C, tiles] per block of tile rows instead of one [Cout, 9C]·[9C, pixels], 2.25x fewer
/// multiplies (transforms in <see cref="WinogradTransforms"/>); or by F(4x4, 3x3) (tile 4): 4x4 output tiles over 6x6 input
/// tiles, 36 GEMMs, 2.25x fewer multiplies again (<see cref="WinogradTransforms4"/>). A block is a run of tile rows across the whole batch, sized
/// so the transformed tiles stay in cache (large images split, small images batch together); the batch's tile rows are
/// split over the workers.
/// Backward: the input gradient is itself a 3x3 stride-1 correlation of dY with the 180°-rotated, channel-transposed
/// kernel and padding 2 - pad, so it runs the same forward; the weight gradient is the adjoint of the forward,
/// dU[ξ] = Σ_tiles dM[ξ]·V[ξ]ᵀ with dM = A dY Aᵀ, then dW = Gᵀ dU G, with the same tiles as the forward.
/// Scratch (transformed filters, tiles and strips) comes from <see cref="ConvScratch{T}"/>, never trimmed, so a warm step
/// allocates only its tensors.
/// </summary>
internal static class WinogradConv
{
    /// <summary>Elements of one block's transformed tiles (16 or 36 points x channels x tiles): about 1 MB of float32, so a point's
    /// [C, tiles] matrix is read back by its GEMM from cache. Measured on the 2-core AVX2 machine (one thread, CPU time,
    /// forward; forward+backward): 2^18 beat 2^16 and 2^20 at C = 16 and 64 (N16 C64 56x56: 75; 268 ms against 113; 289 and
    /// 96; 275); C = 256 on 14x14 wanted larger blocks (23; 91 ms at 2^20 against 29; 111), hence <see cref="MinTiles"/>.</summary>
    private const long BlockBudget = 1 << 18;

    /// <summary>At least this many tiles per GEMM, so many channels do not shrink the GEMMs to slivers.</summary>
    private const int MinTiles = 256;

    /// <summary>One correlation: input [N, C, H, W] read through padding (top, left; negative crops), output [N, K, OH, OW].</summary>
    /// <summary>M is the output tile's side: 2 for F(2x2, 3x3), 4 for F(4x4, 3x3).</summary>
    private readonly record struct Plan(int N, int C, int H, int W, int PadTop, int PadLeft, int K, int OH, int OW, int Groups, int M)
    {
        public int TH => (OH + M - 1) / M;
        public int TW => (OW + M - 1) / M;
        public int Points => (M + 2) * (M + 2);
        public int Width => M * TW + (M == 2 ? 18 : 40);   // strip width, with the vector kernels' slack
        public int Cg => C / Groups;
        public int Kg => K / Groups;

        public int RowsPerBlock => (int)Math.Clamp(Math.Max(BlockBudget / ((long)Points * Math.Max(Cg, Kg) * TW), (MinTiles + TW - 1) / TW), 1, 4096);

        /// <summary>The weight gradient's GEMMs dM·Vᵀ sum over tiles: at least 8·max(C, Cout) tiles per block (at most 2^23
        /// transformed values) lets them take the GEMM's dot-product path along the tiles. One thread, N8 C64 56x56:
        /// dW + dB 73-79 ms against 110-131 with the forward's blocks (16·max: 70-96).</summary>
        public int GradRowsPerBlock
        {
            get
            {
                long wide = Math.Min(8L * Math.Max(Cg, Kg), (1L << 23) / ((long)Points * Math.Max(Cg, Kg)));
                return (int)Math.Clamp(Math.Max(RowsPerBlock, (wide + TW - 1) / TW), 1, 4096);
            }
        }
    }

    /// <summary>Whether F(tile x tile, 3x3) fits: a 3x3 kernel at stride 1 and dilation 1, tile 2 or 4.</summary>
    public static bool Applies(in ConvGeometry g, int groups, int outChannels, int tile = 2) =>
        g.KH == 3 && g.KW == 3 && g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1
        // One tile row of transformed tiles (forward, and the input gradient's correlation over H x W) must stay addressable.
        && (tile + 2L) * (tile + 2) * Math.Max(g.C, outChannels) / groups * ((Math.Max(g.OutW, g.W) + 1) / 2 + MinTiles + 8) < 1 << 28;

    /// <summary>Where the heuristic picks it: groups 1, 16-128 channels in and out, outputs at least 4x4. Measured against
    /// im2col + GEMM (float32, 2-core AVX2, loaded machine, best of 3-5, forward; forward+backward in ms):
    /// N128 C16 32x32 K16 49; 151 against 94; 302. N128 C64 8x8 30; 95 against 39; 118. N32 C64 56x56 250; 962 against
    /// 545; 1546. N128 C64 4x4 12; 51 against 26; 118. N8 C128 8x8 11; 30 against 19; 53. N32 C32 16x16 23; 60 against
    /// 30; 63. It loses with few channels (the transforms outweigh GEMMs only C deep): N128 C3 32x32 K16 67; 242 against
    /// 67; 162, N16 C8 28x28 8; 20 against 1; 12; and at C = K = 256 on 14x14 the backward lost (91 against 67 ms CPU).</summary>
    public static bool Preferred(in ConvGeometry g, int groups, int outChannels) =>
        groups == 1 && g.C is >= 16 and <= 128 && outChannels is >= 16 and <= 128 && g.OutH >= 4 && g.OutW >= 4 && Applies(g, groups, outChannels);

    /// <summary>The tile where <see cref="Preferred"/> holds: F(4x4, 3x3) on outputs of at least 20x20, else F(2x2, 3x3).
    /// One thread, CPU ms of forward+backward, F(2x2) against F(4x4), loaded 2-core AVX2 machine, median of 5: N32 C64 56x56
    /// 241 against 195; N16 C128 28x28 K128 125 against 91; N32 C48 24x24 34-36 against 31-32; N16 C64 20x20 K128 40 against
    /// 33; N16 C64 32x32 37 against 35. On smaller planes a wash either way (more of the 4x4 tiles hang over the edge):
    /// 10x10 20 against 24, 14x14 48 against 47, 16x16 25-29 against 28-30, C128 14x14 42 against 46.</summary>
    public static int PreferredTile(in ConvGeometry g) => g.OutH >= 20 && g.OutW >= 20 ? 4 : 2;

    private static Plan ForwardPlan(in ConvGeometry g, int groups, int outChannels, int tile) =>
        new(g.N, g.C, g.H, g.W, g.PadTop, g.PadLeft, outChannels, g.OutH, g.OutW, groups, tile);

    /// <summary>The forward by F(tile x tile, 3x3), tile 2 or 4.</summary>
    public static void Forward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T>? b, Memory<T> y, ConvGeometry g, int groups, int outChannels,
        int tile = 2) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plan = ForwardPlan(g, groups, outChannels, tile);
        var u = FilterTransform(w.Span, plan, flipTranspose: false);
        try { Correlate(x, u, b, y, plan, accumulate: false); }
        finally { ConvScratch<T>.Return(u); }
    }

    /// <summary>The input and weight gradients by F(tile x tile, 3x3).</summary>
    public static void Backward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T> dy, Memory<T>? dx, Memory<T>? dw, Memory<T>? db,
        ConvGeometry g, int groups, int outChannels, int tile = 2) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plan = ForwardPlan(g, groups, outChannels, tile);
        if (dx is { } dxm)
        {
            // dX[h] = Σ_i dY[h - (2 - padTop) + i] · w[2 - i]: the same correlation over dY with the flipped kernel.
            var adjoint = new Plan(g.N, outChannels, g.OutH, g.OutW, 2 - g.PadTop, 2 - g.PadLeft, g.C, g.H, g.W, groups, tile);
            var u = FilterTransform(w.Span, plan, flipTranspose: true);
            try { Correlate(dy, u, null, dxm, adjoint, accumulate: true); }
            finally { ConvScratch<T>.Return(u); }
        }
        if (dw is { } dwm) WeightGradient(x, dy, dwm, plan);
        if (db is { } dbm) ConvNdKernels.BiasGrad(dy.Span, dbm.Span, g.N, outChannels, g.OutPixels);
    }

    /// <summary>Per group, [points][rows][cols] transformed kernels of the forward plan p: rows = Cout/groups (or C/groups when
    /// flipped). Rented from <see cref="ConvScratch{T}"/>: the caller returns it.</summary>
    private static T[] FilterTransform<T>(ReadOnlySpan<T> w, Plan p, bool flipTranspose) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int kg = p.Kg, cg = p.Cg, per = p.Points * kg * cg;
        var u = ConvScratch<T>.Rent(p.Groups * per);
        for (int gi = 0; gi < p.Groups; gi++)
        {
            var src = w.Slice(gi * kg * cg * 9, kg * cg * 9);
            if (p.M == 4) WinogradTransforms4.Filter(src, kg, cg, flipTranspose, u.AsSpan(gi * per, per));
            else WinogradTransforms.Filter(src, kg, cg, flipTranspose, u.AsSpan(gi * per, per));
        }
        return u;
    }

    private static void Correlate<T>(ReadOnlyMemory<T> x, T[] u, ReadOnlyMemory<T>? b, Memory<T> y, Plan p, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = p.N * p.TH, perBlock = p.RowsPerBlock, cg = p.Cg, kg = p.Kg, points = p.Points;
        int workers = CpuThreads.WorkersFor(rows);
        bool inner = workers < CpuThreads.Count;
        CpuThreads.ForWorkers(rows, workers, (_, r0, r1) =>
        {
            int maxLd = Math.Min(perBlock, r1 - r0) * p.TW + 8;
            var v = ConvScratch<T>.Rent(points * cg * maxLd);
            var m = ConvScratch<T>.Rent(points * kg * maxLd);
            var strip = ConvScratch<T>.Rent((p.M + 2) * p.Width);
            try
            {
                for (int b0 = r0; b0 < r1; b0 += perBlock)
                {
                    int b1 = Math.Min(r1, b0 + perBlock), wide = (b1 - b0) * p.TW, ld = wide + 8;
                    for (int gi = 0; gi < p.Groups; gi++)
                    {
                        TransformInput(x.Span, p, gi * cg, b0, b1, v, ld, strip);
                        for (int xi = 0; xi < points; xi++)
                            Gemm.Run<T>(false, false, kg, wide, cg, u.AsSpan((gi * points + xi) * kg * cg, kg * cg), cg,
                                v.AsSpan(xi * cg * ld, cg * ld), ld, m.AsSpan(xi * kg * ld, kg * ld), ld, accumulate: false, parallel: inner);
                        TransformOutput(m, p, gi * kg, b0, b1, ld, b, y.Span, accumulate, strip);
                    }
                }
            }
            finally
            {
                ConvScratch<T>.Return(v);
                ConvScratch<T>.Return(m);
                ConvScratch<T>.Return(strip);
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
                WinogradTransforms.Strip(x.Slice((n * p.C + c0 + c) * hw, hw), p.H, p.W, p.M * ty - p.PadTop, p.M + 2, p.PadLeft, strip, width);
                if (p.M == 4) WinogradTiles.Input4<T>(strip, width, p.TW, v.AsSpan(c * ld), tile0, cg * ld);
                else WinogradTiles.Input<T>(strip, width, p.TW, v.AsSpan(c * ld), tile0, cg * ld);
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
            int n = r / p.TH, ty = r % p.TH, tile0 = (r - b0) * p.TW, rows = Math.Min(p.M, p.OH - p.M * ty);
            for (int o = 0; o < kg; o++)
            {
                if (p.M == 4) WinogradTiles.Output4<T>(m.AsSpan(o * ld), tile0, kg * ld, p.TW, strip, width);
                else WinogradTiles.Output<T>(m.AsSpan(o * ld), tile0, kg * ld, p.TW, strip, width);
                int channel = o0 + o;
                for (int a = 0; a < rows; a++)
                {
                    var src = strip.AsSpan(a * width, p.OW);
                    var dst = y.Slice((n * p.K + channel) * ohw + (p.M * ty + a) * p.OW, p.OW);
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
        int rows = p.N * p.TH, perBlock = p.GradRowsPerBlock, cg = p.Cg, kg = p.Kg, points = p.Points, per = points * kg * cg;
        if (rows == 0) { dw.Span.Clear(); return; }   // an empty batch: no tiles, zero gradient
        int workers = CpuThreads.WorkersFor(rows);
        bool inner = workers < CpuThreads.Count;
        var partials = new T[workers][];
        CpuThreads.ForWorkers(rows, workers, (worker, r0, r1) =>
        {
            var du = partials[worker] = ConvScratch<T>.Rent(p.Groups * per);
            du.AsSpan(0, p.Groups * per).Clear();
            int maxLd = Math.Min(perBlock, r1 - r0) * p.TW + 8;
            var v = ConvScratch<T>.Rent(points * cg * maxLd);
            var dm = ConvScratch<T>.Rent(points * kg * maxLd);
            var strip = ConvScratch<T>.Rent((p.M + 2) * p.Width);
            try
            {
                for (int b0 = r0; b0 < r1; b0 += perBlock)
                {
                    int b1 = Math.Min(r1, b0 + perBlock), wide = (b1 - b0) * p.TW, ld = wide + 8;
                    for (int gi = 0; gi < p.Groups; gi++)
                    {
                        TransformInput(x.Span, p, gi * cg, b0, b1, v, ld, strip);
                        TransformGradient(dy.Span, p, gi * kg, b0, b1, dm, ld, strip);
                        for (int xi = 0; xi < points; xi++)
                            Gemm.Run<T>(false, true, kg, cg, wide, dm.AsSpan(xi * kg * ld, kg * ld), ld, v.AsSpan(xi * cg * ld, cg * ld), ld,
                                du.AsSpan(gi * per + xi * kg * cg, kg * cg), cg, accumulate: true, parallel: inner);
                    }
                }
            }
            finally
            {
                ConvScratch<T>.Return(v);
                ConvScratch<T>.Return(dm);
                ConvScratch<T>.Return(strip);
            }
        });
        // Partial sums reduced into the first worker's (worker 0 always runs: ForWorkers gives it the first range).
        var total = partials[0].AsSpan(0, p.Groups * per);
        for (int i = 1; i < partials.Length; i++)
            if (partials[i] is { } part) TensorPrimitives.Add<T>(total, part.AsSpan(0, total.Length), total);
        for (int gi = 0; gi < p.Groups; gi++)
        {
            var dst = dw.Span.Slice(gi * kg * cg * 9, kg * cg * 9);
            if (p.M == 4) WinogradTransforms4.FilterGradient<T>(total.Slice(gi * per, per), kg, cg, dst);
            else WinogradTransforms.FilterGradient<T>(total.Slice(gi * per, per), kg, cg, dst);
        }
        foreach (var part in partials) if (part is not null) ConvScratch<T>.Return(part);
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
                WinogradTransforms.Strip(dy.Slice((n * p.K + o0 + o) * ohw, ohw), p.OH, p.OW, p.M * ty, p.M, 0, strip, width);
                if (p.M == 4) WinogradTiles.OutputAdjoint4<T>(strip, width, p.TW, dm.AsSpan(o * ld), tile0, kg * ld);
                else WinogradTiles.OutputAdjoint<T>(strip, width, p.TW, dm.AsSpan(o * ld), tile0, kg * ld);
            }
        }
    }
}
