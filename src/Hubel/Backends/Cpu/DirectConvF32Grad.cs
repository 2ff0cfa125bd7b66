using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Forward and backward of <see cref="DirectConvKernels"/> in float32 through <see cref="DirectConvF32"/>. The input
/// gradient is the correlation of dY with the rotated, transposed kernel; the weight gradient dW[o, tap] = Σ dY[o] · (the
/// input shifted by the tap) runs per block of images with four output channels x three taps in twelve vector
/// accumulators (one input load per tap feeds four channels, one dY load feeds three taps), reduced across lanes once per
/// block, into per-worker partial sums added in worker order. Small output planes on AVX-512 hardware go to
/// <see cref="SmallPlaneConvF32"/> instead.
/// </summary>
internal static class DirectConvF32Grad
{
    private const int Lanes = DirectConvF32.Lanes, KBlock = DirectConvF32.KBlock, TBlock = 3;

    public static bool Enabled => Vector256.IsHardwareAccelerated;

    /// <summary>The forward correlation; a stride other than 1 must be the same in both directions (then only
    /// <see cref="SmallPlaneConvF32"/> takes the plan, if it applies).</summary>
    public static DirectConvF32.Plan ForwardPlan(in ConvGeometry g, int outChannels) =>
        new(g.N, g.C, g.H, g.W, g.PadTop, g.PadLeft, outChannels, g.OutH, g.OutW, g.KH, g.KW, g.DH, g.DW, g.SH == g.SW ? g.SH : 0);

    public static void Forward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> w, ReadOnlyMemory<float>? b, Memory<float> y, in ConvGeometry g, int outChannels,
        bool relu)
    {
        var plan = ForwardPlan(g, outChannels);
        if (SmallPlaneConvF32.Applies(plan))
        {
            SmallPlaneConvF32.Correlate(x, w, flipTranspose: false, b, y, plan, relu);
            return;
        }
        DirectConvF32.Correlate(x, w, flipTranspose: false, b, y, plan, relu);
    }

    public static void Backward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> w, ReadOnlyMemory<float> dy, Memory<float>? dx, Memory<float>? dw,
        Memory<float>? db, ConvGeometry g, int outChannels)
    {
        if (dx is { } dxm)
        {
            // dX[h] = Σ_ki dY[h - ((KH-1)·DH - padTop) + ki·DH] · w[KH-1-ki]: the same correlation over dY, kernel rotated.
            var adjoint = new DirectConvF32.Plan(g.N, outChannels, g.OutH, g.OutW, (g.KH - 1) * g.DH - g.PadTop, (g.KW - 1) * g.DW - g.PadLeft,
                g.C, g.H, g.W, g.KH, g.KW, g.DH, g.DW);
            if (SmallPlaneConvF32.Applies(adjoint)) SmallPlaneConvF32.Correlate(dy, w, flipTranspose: true, null, dxm, adjoint, relu: false);
            else DirectConvF32.Correlate(dy, w, flipTranspose: true, null, dxm, adjoint, relu: false);
        }
        if (dw is { } dwm)
        {
            var plan = ForwardPlan(g, outChannels);
            if (SmallPlaneConvF32.Applies(plan)) SmallPlaneConvF32Grad.WeightGradient(x, dy, dwm, plan);
            else WeightGradient(x, dy, dwm, plan);
        }
        if (db is { } dbm)
        {
            int p = g.OutPixels, n = g.N;
            // Per channel (each worker owns its channels' sums, added in image order at any thread count).
            CpuThreads.For(outChannels, (o0, o1) =>
            {
                for (int o = o0; o < o1; o++)
                {
                    float sum = 0;
                    for (int i = 0; i < n; i++) sum += TensorPrimitives.Sum(dy.Span.Slice((i * outChannels + o) * p, p));
                    dbm.Span[o] = sum;
                }
            });
        }
    }

    private static void WeightGradient(ReadOnlyMemory<float> x, ReadOnlyMemory<float> dy, Memory<float> dw, DirectConvF32.Plan p)
    {
        int taps = p.Taps, per = p.ImagesPerBlock;
        if (p.N == 0) { dw.Span.Clear(); return; }
        var offs = p.TapOffsets();
        // dY rows are read a vector at a time: rows not a whole number of vectors go through zero-padded scratch.
        bool direct = p.OW % Lanes == 0;
        var dyPlan = new DirectConvF32.Plan(p.N, p.Cout, p.OH, p.OW, 0, 0, p.Cout, p.OH, p.OW, 1, 1, 1, 1);
        int workers = CpuThreads.WorkersFor(p.N);
        var partials = PartialSums.Allocate<float>(true, workers, p.Cout * taps)!;
        CpuThreads.ForWorkers(p.N, workers, (worker, i0, i1) =>
        {
            var xs = ConvScratch<float>.Rent(per * p.Image);
            var ds = direct ? null : ConvScratch<float>.Rent(per * dyPlan.Image);
            for (int n0 = i0; n0 < i1; n0 += per)
            {
                int count = Math.Min(per, i1 - n0);
                DirectConvF32.PadBlock(x.Span, p, n0, count, xs);
                if (ds is not null) DirectConvF32.PadBlock(dy.Span, dyPlan, n0, count, ds);
                var dys = ds is null ? dy.Span.Slice(n0 * p.Cout * p.OH * p.OW) : ds;
                GradBlock(xs, dys, offs, partials[worker], p, count);
            }
            ConvScratch<float>.Return(xs);
            if (ds is not null) ConvScratch<float>.Return(ds);
        });
        PartialSums.SumInto(partials, dw.Span);
    }

    /// <summary>partial[o, tap] += Σ over the block's images and output pixels of dY[o] · x[tap shift]; dY rows are OWp wide
    /// (the original rows when OW is a whole number of vectors, else the padded scratch).</summary>
    private static unsafe void GradBlock(float[] xpad, ReadOnlySpan<float> dy, int[] offs, float[] partial, DirectConvF32.Plan p, int count)
    {
        int taps = p.Taps, plane = p.OH * p.OWp, vpr = p.OWp / Lanes, vectors = count * p.OH * vpr;
        // Where each output vector of the block starts in the padded input and in dY (one flat loop, whatever the plane shape).
        var xo = ConvScratch<int>.Rent(vectors);
        var dyo = ConvScratch<int>.Rent(vectors);
        for (int i = 0; i < vectors; i++)
        {
            int n = i / (p.OH * vpr), r = i / vpr % p.OH, col = i % vpr * Lanes;
            xo[i] = n * p.Image + r * p.Wp + col;
            dyo[i] = n * p.Cout * plane + r * p.OWp + col;
        }
        var res = stackalloc float[KBlock * TBlock];
        fixed (float* xs = xpad, ds = dy, part = partial)
        fixed (int* ofs = offs, xop = xo, dop = dyo)
        {
            for (int kb = 0; kb < p.KBlocks; kb++)
            {
                int o0 = kb * KBlock, kv = Math.Min(KBlock, p.Cout - o0);
                // Channels past Cout repeat the last real one (computed, not stored).
                long c1 = Math.Min(1, kv - 1) * (long)plane, c2 = Math.Min(2, kv - 1) * (long)plane, c3 = Math.Min(3, kv - 1) * (long)plane;
                float* d0 = ds + (long)o0 * plane, d1 = d0 + c1, d2 = d0 + c2, d3 = d0 + c3;
                for (int t0 = 0; t0 < taps; t0 += TBlock)
                {
                    int tv = Math.Min(TBlock, taps - t0);
                    float* x0 = xs + ofs[t0], x1 = xs + ofs[t0 + Math.Min(1, tv - 1)], x2 = xs + ofs[t0 + Math.Min(2, tv - 1)];
                    GradTile(x0, x1, x2, d0, d1, d2, d3, xop, dop, vectors, res);
                    for (int c = 0; c < kv; c++)
                        for (int m = 0; m < tv; m++) part[(o0 + c) * taps + t0 + m] += res[c * TBlock + m];
                }
            }
        }
        ConvScratch<int>.Return(xo);
        ConvScratch<int>.Return(dyo);
    }

    /// <summary>res[c][m] = Σ_i dY_c[dyo[i]] · x_m[xo[i]]: four channels by three taps, twelve accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void GradTile(float* x0, float* x1, float* x2, float* d0, float* d1, float* d2, float* d3, int* xo, int* dyo, int vectors,
        float* res)
    {
        Vector256<float> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
        Vector256<float> a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
        for (int i = 0; i < vectors; i++)
        {
            int xi = xo[i], di = dyo[i];
            var v0 = Vector256.Load(x0 + xi);
            var v1 = Vector256.Load(x1 + xi);
            var v2 = Vector256.Load(x2 + xi);
            var g = Vector256.Load(d0 + di);
            a00 = Vector256.MultiplyAddEstimate(g, v0, a00); a01 = Vector256.MultiplyAddEstimate(g, v1, a01); a02 = Vector256.MultiplyAddEstimate(g, v2, a02);
            g = Vector256.Load(d1 + di);
            a10 = Vector256.MultiplyAddEstimate(g, v0, a10); a11 = Vector256.MultiplyAddEstimate(g, v1, a11); a12 = Vector256.MultiplyAddEstimate(g, v2, a12);
            g = Vector256.Load(d2 + di);
            a20 = Vector256.MultiplyAddEstimate(g, v0, a20); a21 = Vector256.MultiplyAddEstimate(g, v1, a21); a22 = Vector256.MultiplyAddEstimate(g, v2, a22);
            g = Vector256.Load(d3 + di);
            a30 = Vector256.MultiplyAddEstimate(g, v0, a30); a31 = Vector256.MultiplyAddEstimate(g, v1, a31); a32 = Vector256.MultiplyAddEstimate(g, v2, a32);
        }
        res[0] = Vector256.Sum(a00); res[1] = Vector256.Sum(a01); res[2] = Vector256.Sum(a02);
        res[3] = Vector256.Sum(a10); res[4] = Vector256.Sum(a11); res[5] = Vector256.Sum(a12);
        res[6] = Vector256.Sum(a20); res[7] = Vector256.Sum(a21); res[8] = Vector256.Sum(a22);
        res[9] = Vector256.Sum(a30); res[10] = Vector256.Sum(a31); res[11] = Vector256.Sum(a32);
    }
}
