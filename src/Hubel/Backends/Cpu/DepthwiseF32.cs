using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Float32 stride-1 depthwise convolution (<see cref="DepthwiseKernels"/> with groups = C) on zero-bordered copies of one
/// plane at a time, which sit in L1, with rows padded to whole vectors: four output vectors at a time are built in
/// registers from KH·KW shifted loads times broadcast weights (four independent FMA chains, so the FMA latency is
/// hidden), into a row-padded scratch plane that is then copied (or added) into the output. The input gradient is the
/// same correlation over dY with the kernel rotated by 180° and padding (K-1)·D - pad; the weight gradient runs tap by
/// tap with four vector accumulators over the plane, kept across the batch and reduced across lanes once per channel,
/// with the bias gradient alongside. Backward runs over channels, so each worker owns its channels' weight and bias
/// gradients: no partial sums, and the same order at any thread count.
/// </summary>
internal static class DepthwiseF32
{
    private const int Lanes = 8;

    public static bool Applies(in ConvGeometry g) =>
        Vector256.IsHardwareAccelerated && g.SH == 1 && g.SW == 1;

    /// <summary>One plane correlation: a source plane Hs x Ws read through padding (top, left; negative crops) into OH x OW.</summary>
    private readonly record struct Plan(int Hs, int Ws, int PadTop, int PadLeft, int OH, int OW, int KH, int KW, int DH, int DW)
    {
        public int OWp => (OW + Lanes - 1) / Lanes * Lanes;
        public int Wp => OWp + (KW - 1) * DW;
        public int Vectors => OH * OWp / Lanes;

        /// <summary>Where output vector i (rows OWp wide, flattened) starts in the padded source.</summary>
        public int[] VectorOffsets()
        {
            var offs = new int[Vectors];
            int vpr = OWp / Lanes;
            for (int i = 0; i < offs.Length; i++) offs[i] = i / vpr * Wp + i % vpr * Lanes;
            return offs;
        }
        public int Hp => OH + (KH - 1) * DH;
        public int Plane => Hp * Wp;

        public int[] TapOffsets()
        {
            var offs = new int[KH * KW];
            for (int ki = 0; ki < KH; ki++)
                for (int kj = 0; kj < KW; kj++) offs[ki * KW + kj] = ki * DH * Wp + kj * DW;
            return offs;
        }
    }

    private static Plan ForwardPlan(in ConvGeometry g) => new(g.H, g.W, g.PadTop, g.PadLeft, g.OutH, g.OutW, g.KH, g.KW, g.DH, g.DW);

    public static void Forward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> w, ReadOnlyMemory<float>? b, Memory<float> y, ConvGeometry g, int outChannels)
    {
        var p = ForwardPlan(g);
        int[] offs = p.TapOffsets(), vecs = p.VectorOffsets();
        int mult = outChannels / g.C, hw = g.H * g.W, ohw = g.OutPixels, kk = g.KH * g.KW;
        CpuThreads.For(g.N * g.C, (j0, j1) =>
        {
            var xp = ConvScratch<float>.Rent(p.Plane);
            var op = ConvScratch<float>.Rent(p.Vectors * Lanes);
            for (int j = j0; j < j1; j++)
            {
                int n = j / g.C, c = j % g.C;
                Pad(x.Span.Slice(j * hw, hw), p, xp);
                for (int m = 0; m < mult; m++)
                {
                    int oc = c * mult + m;
                    float bias = b is { } bm ? bm.Span[oc] : 0f;
                    Correlate(xp, offs, vecs, w.Span.Slice(oc * kk, kk), flip: false, bias, op);
                    Unpad(op, p, y.Span.Slice((n * outChannels + oc) * ohw, ohw), accumulate: false);
                }
            }
            ConvScratch<float>.Return(xp);
            ConvScratch<float>.Return(op);
        }, minPerWorker: 4);
    }

    /// <summary>Input gradient overwritten (every element written), weight and bias gradients overwritten.</summary>
    public static void Backward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> w, ReadOnlyMemory<float> dy, Memory<float>? dx, Memory<float>? dw,
        Memory<float>? db, ConvGeometry g, int outChannels)
    {
        var fp = ForwardPlan(g);
        // dX[h] = Σ_ki dY[h - ((KH-1)·DH - padTop) + ki·DH] · w[KH-1-ki].
        var ap = new Plan(g.OutH, g.OutW, (g.KH - 1) * g.DH - g.PadTop, (g.KW - 1) * g.DW - g.PadLeft, g.H, g.W, g.KH, g.KW, g.DH, g.DW);
        // dY with rows padded to whole vectors (zeros past OW), for the weight and bias gradients.
        var dp = new Plan(g.OutH, g.OutW, 0, 0, g.OutH, g.OutW, 1, 1, 1, 1);
        int[] fOffs = fp.TapOffsets(), fVecs = fp.VectorOffsets(), aOffs = ap.TapOffsets(), aVecs = ap.VectorOffsets();
        int mult = outChannels / g.C, hw = g.H * g.W, ohw = g.OutPixels, kk = g.KH * g.KW;
        bool sums = dw is not null || db is not null;
        CpuThreads.For(g.C, (c0, c1) =>
        {
            var xp = ConvScratch<float>.Rent(fp.Plane);
            var dyp = ConvScratch<float>.Rent(ap.Plane);
            var op = ConvScratch<float>.Rent(ap.Vectors * Lanes);
            var dys = ConvScratch<float>.Rent(dp.Plane);
            var acc = new Vector256<float>[kk + 1];   // per tap, then the bias
            for (int c = c0; c < c1; c++)
                for (int m = 0; m < mult; m++)
                {
                    int oc = c * mult + m;
                    Array.Clear(acc);
                    for (int n = 0; n < g.N; n++)
                    {
                        var dyPlane = dy.Span.Slice((n * outChannels + oc) * ohw, ohw);
                        if (dx is { } dxm)
                        {
                            Pad(dyPlane, ap, dyp);
                            Correlate(dyp, aOffs, aVecs, w.Span.Slice(oc * kk, kk), flip: true, 0f, op);
                            Unpad(op, ap, dxm.Span.Slice((n * g.C + c) * hw, hw), accumulate: m > 0);
                        }
                        if (!sums) continue;
                        Pad(dyPlane, dp, dys);
                        if (dw is not null)
                        {
                            Pad(x.Span.Slice((n * g.C + c) * hw, hw), fp, xp);
                            WeightAccumulate(xp, fOffs, fVecs, dys, acc);
                        }
                        BiasAccumulate(dys, dp.Vectors, acc);
                    }
                    if (dw is { } dwm)
                        for (int t = 0; t < kk; t++) dwm.Span[oc * kk + t] = Vector256.Sum(acc[t]);
                    if (db is { } dbm) dbm.Span[oc] = Vector256.Sum(acc[kk]);
                }
            foreach (var a in (float[][])[xp, dyp, op, dys]) ConvScratch<float>.Return(a);
        });
    }

    /// <summary>The plane into the zero-bordered [Hp][Wp] scratch.</summary>
    private static void Pad(ReadOnlySpan<float> src, Plan p, float[] dst)
    {
        int c0 = Math.Max(0, -p.PadLeft), c1 = Math.Min(p.Ws, p.Wp - p.PadLeft), len = c1 - c0, d0 = c0 + p.PadLeft;
        for (int r = 0; r < p.Hp; r++)
        {
            var row = dst.AsSpan(r * p.Wp, p.Wp);
            int sr = r - p.PadTop;
            if ((uint)sr >= (uint)p.Hs || len <= 0) { row.Clear(); continue; }
            row[..d0].Clear();
            src.Slice(sr * p.Ws + c0, len).CopyTo(row.Slice(d0, len));
            row[(d0 + len)..].Clear();
        }
    }

    /// <summary>The OW valid columns of each OWp-wide scratch row into (or added onto) the OH x OW output.</summary>
    private static void Unpad(float[] padded, Plan p, Span<float> output, bool accumulate)
    {
        for (int r = 0; r < p.OH; r++)
        {
            var src = padded.AsSpan(r * p.OWp, p.OW);
            var dst = output.Slice(r * p.OW, p.OW);
            if (accumulate) System.Numerics.Tensors.TensorPrimitives.Add(dst, src, dst);
            else src.CopyTo(dst);
        }
    }

    /// <summary>out[i] = bias + Σ_t w[t] · padded[vecs[i] + offs[t]] for every output vector i (w read backwards when flipped).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Correlate(float[] padded, int[] offs, int[] vecs, ReadOnlySpan<float> w, bool flip, float bias, float[] output)
    {
        int taps = offs.Length, count = vecs.Length, i = 0;
        var wv = stackalloc Vector256<float>[taps];
        for (int t = 0; t < taps; t++) wv[t] = Vector256.Create(flip ? w[taps - 1 - t] : w[t]);
        var bv = Vector256.Create(bias);
        fixed (float* src = padded, dst = output)
        fixed (int* of = offs, vo = vecs)
        {
            for (; i + 4 <= count; i += 4)
            {
                float* s0 = src + vo[i], s1 = src + vo[i + 1], s2 = src + vo[i + 2], s3 = src + vo[i + 3];
                Vector256<float> a0 = bv, a1 = bv, a2 = bv, a3 = bv;
                for (int t = 0; t < taps; t++)
                {
                    var wt = wv[t];
                    int o = of[t];
                    a0 = Vector256.MultiplyAddEstimate(wt, Vector256.Load(s0 + o), a0);
                    a1 = Vector256.MultiplyAddEstimate(wt, Vector256.Load(s1 + o), a1);
                    a2 = Vector256.MultiplyAddEstimate(wt, Vector256.Load(s2 + o), a2);
                    a3 = Vector256.MultiplyAddEstimate(wt, Vector256.Load(s3 + o), a3);
                }
                a0.Store(dst + i * Lanes); a1.Store(dst + (i + 1) * Lanes); a2.Store(dst + (i + 2) * Lanes); a3.Store(dst + (i + 3) * Lanes);
            }
            for (; i < count; i++)
            {
                float* s0 = src + vo[i];
                var a0 = bv;
                for (int t = 0; t < taps; t++) a0 = Vector256.MultiplyAddEstimate(wv[t], Vector256.Load(s0 + of[t]), a0);
                a0.Store(dst + i * Lanes);
            }
        }
    }

    /// <summary>acc[t] += Σ_i dY[i] · padded x[vecs[i] + offs[t]] (dY rows padded with zeros to whole vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WeightAccumulate(float[] xpad, int[] offs, int[] vecs, float[] dy, Vector256<float>[] acc)
    {
        int taps = offs.Length, count = vecs.Length;
        fixed (float* xs = xpad, ds = dy)
        fixed (int* of = offs, vo = vecs)
        fixed (Vector256<float>* ac = acc)
        {
            for (int t = 0; t < taps; t++)
            {
                float* x = xs + of[t];
                Vector256<float> a0 = ac[t], a1 = default, a2 = default, a3 = default;
                int i = 0;
                for (; i + 4 <= count; i += 4)
                {
                    a0 = Vector256.MultiplyAddEstimate(Vector256.Load(ds + i * Lanes), Vector256.Load(x + vo[i]), a0);
                    a1 = Vector256.MultiplyAddEstimate(Vector256.Load(ds + (i + 1) * Lanes), Vector256.Load(x + vo[i + 1]), a1);
                    a2 = Vector256.MultiplyAddEstimate(Vector256.Load(ds + (i + 2) * Lanes), Vector256.Load(x + vo[i + 2]), a2);
                    a3 = Vector256.MultiplyAddEstimate(Vector256.Load(ds + (i + 3) * Lanes), Vector256.Load(x + vo[i + 3]), a3);
                }
                for (; i < count; i++) a0 = Vector256.MultiplyAddEstimate(Vector256.Load(ds + i * Lanes), Vector256.Load(x + vo[i]), a0);
                ac[t] = (a0 + a1) + (a2 + a3);
            }
        }
    }

    private static unsafe void BiasAccumulate(float[] dy, int count, Vector256<float>[] acc)
    {
        fixed (float* ds = dy)
        {
            Vector256<float> a0 = acc[^1], a1 = default;
            int i = 0;
            for (; i + 2 <= count; i += 2) { a0 += Vector256.Load(ds + i * Lanes); a1 += Vector256.Load(ds + (i + 1) * Lanes); }
            for (; i < count; i++) a0 += Vector256.Load(ds + i * Lanes);
            acc[^1] = a0 + a1;
        }
    }
}
