using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Forward and weight gradient of stride-1 float32 convolutions with one input channel (LeNet-5's conv1: 1 -> 6,
/// 5x5, pad 2, 28x28), vectorised along the whole output plane instead of along rows. Each image is copied into KW
/// column-shifted planes per channel, S[c, kj][h, ow] = xpad[c, h, ow + kj·DW], every one exactly OW wide; then the input
/// of tap (c, ki, kj) for output pixel p = oh·OW + ow is S[c, kj] at flat index p + ki·DH·OW, so the taps read contiguous
/// vectors across row ends and a 28x28 plane is exactly 98 vectors: no lanes past the row end (the row-padded engine
/// computes 32 of every 28), and six output channels a block, so LeNet's 6 waste nothing (blocks of 4 compute 8).
/// Forward: 6 channels x 2 pixel vectors in 12 accumulators, one weight broadcast per channel and tap. Weight gradient:
/// 6 channels x 2 taps, summed over the plane, into per-worker partials added in worker order.
/// </summary>
internal static class SmallChannelConvF32
{
    private const int Lanes = 8, CBlock = 6;

    /// <summary>Stride 1, one input channel, at least one vector of output pixels, AVX2 + FMA. One thread, best of 60, loaded
    /// machine, forward; forward + weight gradient, against the row engine (<see cref="DirectConvF32"/>): LeNet-5 conv1 (N64 K6
    /// 5x5 pad 2) 0.28; 0.57 ms against 0.40; 0.86, network3 conv1 (N10 K20 5x5) 0.10; 0.19 against 0.11; 0.20. With three
    /// channels (ResNet-20's first layer, N128 C3 K16 3x3) the forward ties and the weight gradient is slower (5.0 against
    /// 3.7), so those stay on the row engine.</summary>
    public static bool Applies(in ConvGeometry g) =>
        g.C == 1 && g.SH == 1 && g.SW == 1 && g.OutPixels >= Lanes && Avx2.IsSupported && Fma.IsSupported;

    private readonly record struct Layout(int Plane, int[] Offsets, int Vectors)
    {
        public static Layout Of(in ConvGeometry g)
        {
            int hp = g.OutH + (g.KH - 1) * g.DH;
            // One vector of zeros after each plane: the last pixel vector of the last row of taps may run past Hp·OW.
            int plane = hp * g.OutW + Lanes;
            var offs = new int[g.C * g.KH * g.KW];
            int t = 0;
            for (int c = 0; c < g.C; c++)
                for (int ki = 0; ki < g.KH; ki++)
                    for (int kj = 0; kj < g.KW; kj++) offs[t++] = (c * g.KW + kj) * plane + ki * g.DH * g.OutW;
            return new Layout(plane, offs, (g.OutPixels + Lanes - 1) / Lanes);
        }
    }

    /// <summary>Image n's column-shifted planes [C][KW][Hp·OW + 8], zero where the window lies in the padding. The planes are
    /// cleared in one pass and the input rows copied a vector at a time through pointers: row by row with span slices and
    /// three calls a row, this copy took a quarter of LeNet-5's conv1 at batch 1.</summary>
    private static unsafe void Shift(ReadOnlySpan<float> x, int n, in ConvGeometry g, int plane, Span<float> s)
    {
        int ow = g.OutW, hp = g.OutH + (g.KH - 1) * g.DH, hw = g.H * g.W;
        if ((long)(n + 1) * g.C * hw > x.Length || (long)g.C * g.KW * plane > s.Length) throw new ArgumentException("shift buffers are smaller than the geometry needs");
        s[..(g.C * g.KW * plane)].Clear();
        // Source rows [h0, h1) of a shifted plane hold input rows h - PadTop.
        int h0 = Math.Clamp(g.PadTop, 0, hp), h1 = Math.Clamp(g.PadTop + g.H, h0, hp);
        fixed (float* xs = x, ss = s)
            for (int c = 0; c < g.C; c++)
                for (int kj = 0; kj < g.KW; kj++)
                {
                    int shift = kj * g.DW - g.PadLeft;   // output column j reads input column j + shift
                    int j0 = Math.Clamp(-shift, 0, ow), j1 = Math.Clamp(g.W - shift, j0, ow);
                    if (j1 == j0) continue;
                    float* dst = ss + (c * g.KW + kj) * plane + j0;
                    float* src = xs + (long)(n * g.C + c) * hw + (h0 - g.PadTop) * g.W + j0 + shift;
                    for (int h = h0; h < h1; h++) SmallPlaneConvF32.Copy(src + (h - h0) * g.W, dst + h * ow, j1 - j0);
                }
    }

    /// <summary>y [N, Cout, OH, OW] = conv(x, w) + b (then ReLU when asked), every output written.</summary>
    public static void Forward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> w, ReadOnlyMemory<float>? b, Memory<float> y, ConvGeometry g, int outChannels,
        bool relu)
    {
        if (g.N == 0 || outChannels == 0) return;
        var l = Layout.Of(g);
        int taps = l.Offsets.Length, blocks = (outChannels + CBlock - 1) / CBlock;
        // Weights as [block][tap][6] and the bias as [block][6], zero past Cout.
        var packed = new float[blocks * taps * CBlock];
        var bias = new float[blocks * CBlock];
        var ws = w.Span;
        for (int o = 0; o < outChannels; o++)
            for (int t = 0; t < taps; t++) packed[((o / CBlock) * taps + t) * CBlock + o % CBlock] = ws[o * taps + t];
        if (b is { } bm) bm.Span[..outChannels].CopyTo(bias);
        if ((long)g.N * outChannels * g.OutPixels > y.Length) throw new ArgumentException("output buffer is smaller than the geometry needs");
        CpuThreads.For(g.N, (n0, n1) =>
        {
            var s = ConvScratch<float>.Rent(g.C * g.KW * l.Plane);
            for (int n = n0; n < n1; n++)
            {
                Shift(x.Span, n, g, l.Plane, s);
                ForwardImage(s, packed, bias, y.Span, n, g, outChannels, l, relu);
            }
            ConvScratch<float>.Return(s);
        });
    }

    private static unsafe void ForwardImage(float[] s, float[] packed, float[] bias, Span<float> y, int n, in ConvGeometry g, int outChannels, Layout l,
        bool relu)
    {
        int p = g.OutPixels, taps = l.Offsets.Length, vectors = l.Vectors;
        if ((long)(n + 1) * outChannels * p > y.Length) throw new ArgumentException("output buffer is smaller than the geometry needs");
        var res = stackalloc float[CBlock * 2 * Lanes];
        fixed (float* xs = s, wp = packed, bp = bias, ys = y)
        fixed (int* offs = l.Offsets)
        {
            for (int o0 = 0; o0 < outChannels; o0 += CBlock)
            {
                int kv = Math.Min(CBlock, outChannels - o0);
                float* wb = wp + (long)o0 * taps;   // block o0 / 6 starts at (o0 / 6)·taps·6 = o0·taps
                float* planes = ys + (long)(n * outChannels + o0) * p;
                for (int v = 0; v < vectors; v += 2)
                {
                    int v1 = Math.Min(v + 1, vectors - 1);
                    // A whole block of six channels over two whole vectors is stored from the registers (through the stack
                    // and lane by lane, the stores took a fifth of LeNet-5's conv1); edges go through res.
                    if (kv == CBlock && v1 == v + 1 && (v1 + 1) * Lanes <= p)
                    {
                        Tile(xs + v * Lanes, xs + v1 * Lanes, offs, taps, wb, bp + o0, planes + v * Lanes, p, relu);
                        continue;
                    }
                    Tile(xs + v * Lanes, xs + v1 * Lanes, offs, taps, wb, bp + o0, res, 2 * Lanes, relu: false);
                    for (int c = 0; c < kv; c++)
                    {
                        float* plane = planes + (long)c * p;
                        for (int j = 0; j < 2; j++)
                        {
                            int vj = j == 0 ? v : v1;
                            if (j == 1 && v1 == v) break;
                            var a = Vector256.Load(res + (c * 2 + j) * Lanes);
                            if (relu) a = Vector256.Max(a, Vector256<float>.Zero);
                            int valid = Math.Min(Lanes, p - vj * Lanes);
                            if (valid == Lanes) a.Store(plane + vj * Lanes);
                            else for (int e = 0; e < valid; e++) plane[vj * Lanes + e] = a.GetElement(e);
                        }
                    }
                }
            }
        }
    }

    /// <summary>dst[c·stride + 8j ..] = act(bias[c] + Σ_t w[t][c] · x_j[offs[t]]) for six channels and two pixel vectors:
    /// channel c's two vectors land at dst + c·stride and dst + c·stride + 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile(float* x0, float* x1, int* offs, int taps, float* w, float* bias, float* dst, long stride, bool relu)
    {
        Vector256<float> a00 = Vector256.Create(bias[0]), a01 = a00, a10 = Vector256.Create(bias[1]), a11 = a10;
        Vector256<float> a20 = Vector256.Create(bias[2]), a21 = a20, a30 = Vector256.Create(bias[3]), a31 = a30;
        Vector256<float> a40 = Vector256.Create(bias[4]), a41 = a40, a50 = Vector256.Create(bias[5]), a51 = a50;
        for (int t = 0; t < taps; t++, w += CBlock)
        {
            int o = offs[t];
            var u = Avx.LoadVector256(x0 + o);
            var v = Avx.LoadVector256(x1 + o);
            var k = Avx.BroadcastScalarToVector256(w); a00 = Fma.MultiplyAdd(k, u, a00); a01 = Fma.MultiplyAdd(k, v, a01);
            k = Avx.BroadcastScalarToVector256(w + 1); a10 = Fma.MultiplyAdd(k, u, a10); a11 = Fma.MultiplyAdd(k, v, a11);
            k = Avx.BroadcastScalarToVector256(w + 2); a20 = Fma.MultiplyAdd(k, u, a20); a21 = Fma.MultiplyAdd(k, v, a21);
            k = Avx.BroadcastScalarToVector256(w + 3); a30 = Fma.MultiplyAdd(k, u, a30); a31 = Fma.MultiplyAdd(k, v, a31);
            k = Avx.BroadcastScalarToVector256(w + 4); a40 = Fma.MultiplyAdd(k, u, a40); a41 = Fma.MultiplyAdd(k, v, a41);
            k = Avx.BroadcastScalarToVector256(w + 5); a50 = Fma.MultiplyAdd(k, u, a50); a51 = Fma.MultiplyAdd(k, v, a51);
        }
        if (relu)
        {
            var z = Vector256<float>.Zero;
            a00 = Vector256.Max(a00, z); a01 = Vector256.Max(a01, z); a10 = Vector256.Max(a10, z); a11 = Vector256.Max(a11, z);
            a20 = Vector256.Max(a20, z); a21 = Vector256.Max(a21, z); a30 = Vector256.Max(a30, z); a31 = Vector256.Max(a31, z);
            a40 = Vector256.Max(a40, z); a41 = Vector256.Max(a41, z); a50 = Vector256.Max(a50, z); a51 = Vector256.Max(a51, z);
        }
        a00.Store(dst); a01.Store(dst + Lanes); dst += stride;
        a10.Store(dst); a11.Store(dst + Lanes); dst += stride;
        a20.Store(dst); a21.Store(dst + Lanes); dst += stride;
        a30.Store(dst); a31.Store(dst + Lanes); dst += stride;
        a40.Store(dst); a41.Store(dst + Lanes); dst += stride;
        a50.Store(dst); a51.Store(dst + Lanes);
    }

    /// <summary>dw [Cout, C, KH, KW] (overwritten) = Σ_n Σ_p dy[n, o, p] · x at tap t of pixel p.</summary>
    public static void WeightGradient(ReadOnlyMemory<float> x, ReadOnlyMemory<float> dy, Memory<float> dw, ConvGeometry g, int outChannels)
    {
        var l = Layout.Of(g);
        int taps = l.Offsets.Length, p = g.OutPixels, stride = l.Vectors * Lanes;
        if (g.N == 0 || outChannels == 0) { dw.Span.Clear(); return; }
        int workers = CpuThreads.WorkersFor(g.N);
        var partials = PartialSums.Allocate<float>(true, workers, outChannels * taps)!;
        // dY planes are read a vector at a time: planes that are not a whole number of vectors go through zero-tailed scratch.
        bool direct = p % Lanes == 0;
        CpuThreads.ForWorkers(g.N, workers, (worker, n0, n1) =>
        {
            var s = ConvScratch<float>.Rent(g.C * g.KW * l.Plane);
            var d = direct ? null : ConvScratch<float>.Rent(outChannels * stride);
            for (int n = n0; n < n1; n++)
            {
                Shift(x.Span, n, g, l.Plane, s);
                ReadOnlySpan<float> dyn = dy.Span.Slice(n * outChannels * p, outChannels * p);
                if (d is not null)
                {
                    for (int o = 0; o < outChannels; o++)
                    {
                        dyn.Slice(o * p, p).CopyTo(d.AsSpan(o * stride, p));
                        d.AsSpan(o * stride + p, stride - p).Clear();
                    }
                    dyn = d.AsSpan(0, outChannels * stride);
                }
                GradImage(s, dyn, partials[worker], outChannels, l, direct ? p : stride);
            }
            ConvScratch<float>.Return(s);
            if (d is not null) ConvScratch<float>.Return(d);
        });
        PartialSums.SumInto(partials, dw.Span[..(outChannels * taps)]);
    }

    private static unsafe void GradImage(float[] s, ReadOnlySpan<float> dy, float[] partial, int outChannels, Layout l, int planeStride)
    {
        int taps = l.Offsets.Length;
        if ((long)outChannels * planeStride > dy.Length || (long)outChannels * taps > partial.Length) throw new ArgumentException("weight-gradient buffers are smaller than the geometry needs");
        var res = stackalloc float[CBlock * 2];
        fixed (float* xs = s, ds = dy, part = partial)
        fixed (int* offs = l.Offsets)
        {
            for (int o0 = 0; o0 < outChannels; o0 += CBlock)
            {
                int kv = Math.Min(CBlock, outChannels - o0);
                // Channels past Cout repeat the last real one (computed, not stored).
                float* d0 = ds + (long)o0 * planeStride;
                float* d1 = d0 + Math.Min(1, kv - 1) * (long)planeStride, d2 = d0 + Math.Min(2, kv - 1) * (long)planeStride;
                float* d3 = d0 + Math.Min(3, kv - 1) * (long)planeStride, d4 = d0 + Math.Min(4, kv - 1) * (long)planeStride;
                float* d5 = d0 + Math.Min(5, kv - 1) * (long)planeStride;
                for (int t0 = 0; t0 < taps; t0 += 2)
                {
                    int t1 = Math.Min(t0 + 1, taps - 1);
                    GradTile(xs + offs[t0], xs + offs[t1], d0, d1, d2, d3, d4, d5, l.Vectors, res);
                    for (int c = 0; c < kv; c++)
                    {
                        part[(o0 + c) * taps + t0] += res[c * 2];
                        if (t1 != t0) part[(o0 + c) * taps + t1] += res[c * 2 + 1];
                    }
                }
            }
        }
    }

    /// <summary>res[c][m] = Σ_i dY_c[8i..8i+8) · x_m[8i..8i+8): six channels by two taps, twelve accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void GradTile(float* x0, float* x1, float* d0, float* d1, float* d2, float* d3, float* d4, float* d5, int vectors, float* res)
    {
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default;
        Vector256<float> a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
        for (int i = 0, e = 0; i < vectors; i++, e += Lanes)
        {
            var u = Avx.LoadVector256(x0 + e);
            var v = Avx.LoadVector256(x1 + e);
            var k = Avx.LoadVector256(d0 + e); a00 = Fma.MultiplyAdd(k, u, a00); a01 = Fma.MultiplyAdd(k, v, a01);
            k = Avx.LoadVector256(d1 + e); a10 = Fma.MultiplyAdd(k, u, a10); a11 = Fma.MultiplyAdd(k, v, a11);
            k = Avx.LoadVector256(d2 + e); a20 = Fma.MultiplyAdd(k, u, a20); a21 = Fma.MultiplyAdd(k, v, a21);
            k = Avx.LoadVector256(d3 + e); a30 = Fma.MultiplyAdd(k, u, a30); a31 = Fma.MultiplyAdd(k, v, a31);
            k = Avx.LoadVector256(d4 + e); a40 = Fma.MultiplyAdd(k, u, a40); a41 = Fma.MultiplyAdd(k, v, a41);
            k = Avx.LoadVector256(d5 + e); a50 = Fma.MultiplyAdd(k, u, a50); a51 = Fma.MultiplyAdd(k, v, a51);
        }
        res[0] = Vector256.Sum(a00); res[1] = Vector256.Sum(a01); res[2] = Vector256.Sum(a10); res[3] = Vector256.Sum(a11);
        res[4] = Vector256.Sum(a20); res[5] = Vector256.Sum(a21); res[6] = Vector256.Sum(a30); res[7] = Vector256.Sum(a31);
        res[8] = Vector256.Sum(a40); res[9] = Vector256.Sum(a41); res[10] = Vector256.Sum(a50); res[11] = Vector256.Sum(a51);
    }
}
